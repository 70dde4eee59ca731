/*
** Opening and closing a state of the node.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "core/vm.h"
#include "core/anchor.h"
#include "core/atom.h"
#include "core/env.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/sched.h"
#include "core/term.h"

static int on_panic(lua_State *L) {
  fprintf(stderr, "otplab: fatal error outside any process: %s\n",
          lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "(not a string)");
  abort();
}

static int new_ref_table(lua_State *L) {
  lua_newtable(L);
  return luaL_ref(L, LUA_REGISTRYINDEX);
}

static int setup(lua_State *L) {
  otp_vm *vm = otp_vm_of(L);
  luaL_openlibs(L);
  otp_term_init(L, vm);
  otp_atom_init(L, vm);
  vm->names_ref = new_ref_table(L);
  otp_env_init(L, vm);
  if (vm->node->open_library) vm->node->open_library(L);
  return 0;
}

int otp_vm_open(otp_vm *vm, otp_node *node, struct otp_sandbox *sandbox, unsigned flags,
                char *err, size_t errlen) {
  memset(vm, 0, sizeof *vm);
  vm->node = node;
  vm->sandbox = sandbox;
  vm->flags = flags;
  lua_State *L = lua_newstate(otp_alloc, vm);
  if (!L) {
    snprintf(err, errlen, "cannot create a Lua state (out of memory)");
    return -1;
  }
  vm->L = L;
  *(otp_vm **)lua_getextraspace(L) = vm;
  lua_atpanic(L, on_panic);
  lua_pushcfunction(L, setup);
  if (lua_pcall(L, 0, 0, 0) != LUA_OK) {
    snprintf(err, errlen, "cannot set up the runtime: %s", lua_tostring(L, -1));
    otp_vm_close(vm);
    return -1;
  }
  lua_gc(L, LUA_GCGEN, 0, 0);
  return 0;
}

void otp_vm_close(otp_vm *vm) {
  if (!vm->L) return;
  lua_close(vm->L);
  vm->L = NULL;
  otp_anchor_free(vm);
  otp_pool_free_all(&vm->pool);
}
