/*
** Registry slots without luaL_ref's free list (see anchor.h). luaL_ref walks
** its list through four API calls; here taking a slot is one raw set.
*/
#include <stdlib.h>
#include <lauxlib.h>
#include "core/anchor.h"
#include "core/vm.h"

int otp_anchor(lua_State *L) {
  otp_vm *vm = otp_vm_of(L);
  if (lua_isnil(L, -1)) {            /* as luaL_ref: nil takes no slot (a slot */
    lua_pop(L, 1);                   /* holding nil would be a hole) */
    return LUA_REFNIL;
  }
  if (vm->anchor_nfree == 0) return luaL_ref(L, LUA_REGISTRYINDEX);
  int ref = vm->anchor_free[--vm->anchor_nfree];
  lua_rawseti(L, LUA_REGISTRYINDEX, ref);
  return ref;
}

void otp_unanchor(lua_State *L, int ref) {
  if (ref < 0) return;                       /* LUA_NOREF, LUA_REFNIL */
  otp_vm *vm = otp_vm_of(L);
  if (vm->anchor_nfree == vm->anchor_cap) {
    size_t cap = vm->anchor_cap ? vm->anchor_cap * 2 : 1024;
    int *v = realloc(vm->anchor_free, cap * sizeof *v);
    if (!v) {                                /* no room to remember it: Lua's list takes it */
      luaL_unref(L, LUA_REGISTRYINDEX, ref);
      return;
    }
    vm->anchor_free = v;
    vm->anchor_cap = cap;
  }
  lua_pushboolean(L, 0);
  lua_rawseti(L, LUA_REGISTRYINDEX, ref);
  vm->anchor_free[vm->anchor_nfree++] = ref;
}

void otp_anchor_free(otp_vm *vm) {
  free(vm->anchor_free);
  vm->anchor_free = NULL;
  vm->anchor_nfree = vm->anchor_cap = 0;
}
