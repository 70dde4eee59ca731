/*
** The name registry: a Lua table name -> pid per state (a sandbox's names
** are its own), and each process keeps a reference to its own name so
** exiting frees it.
*/
#include <lauxlib.h>
#include "core/registry.h"
#include "core/node.h"
#include "core/term.h"
#include "trace/trace.h"

static void trace_name(otp_node *node, lua_State *L, otp_trace_kind kind,
                       otp_proc *p, int name) {
  otp_trace_info info = {.pid = p->pid, .L = L, .name = name};
  otp_trace_emit(node, kind, &info);
}

int otp_registry_add(otp_node *node, lua_State *L, int name_idx, otp_proc *p) {
  name_idx = lua_absindex(L, name_idx);
  if (p->name_ref != LUA_NOREF) return -2;
  if (otp_registry_find(node, L, name_idx)) return -1;
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->names_ref);
  lua_pushvalue(L, name_idx);
  otp_proc_push_pid(L, p);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  lua_pushvalue(L, name_idx);
  p->name_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (otp_trace_on(node, OTP_EV_REGISTER)) trace_name(node, L, OTP_EV_REGISTER, p, name_idx);
  return 0;
}

otp_proc *otp_registry_find(otp_node *node, lua_State *L, int name_idx) {
  name_idx = lua_absindex(L, name_idx);
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->names_ref);
  lua_pushvalue(L, name_idx);
  lua_rawget(L, -2);
  otp_pid pid = otp_to_pid(L, -1);
  lua_pop(L, 2);
  return pid ? otp_proc_get(node, pid) : NULL;
}

static void drop(otp_node *node, lua_State *L, otp_proc *p) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->names_ref);
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->name_ref);
  int name = lua_gettop(L);
  if (otp_trace_on(node, OTP_EV_UNREGISTER)) trace_name(node, L, OTP_EV_UNREGISTER, p, name);
  lua_pushnil(L);
  lua_rawset(L, -3);
  lua_pop(L, 1);
  luaL_unref(L, LUA_REGISTRYINDEX, p->name_ref);
  p->name_ref = LUA_NOREF;
}

int otp_registry_remove(otp_node *node, lua_State *L, int name_idx) {
  otp_proc *p = otp_registry_find(node, L, name_idx);
  if (!p) return -1;
  drop(node, L, p);
  return 0;
}

void otp_registry_forget(otp_node *node, otp_proc *p) {
  if (p->name_ref != LUA_NOREF) drop(node, p->vm->L, p);
}

void otp_registry_push_name(lua_State *L, otp_proc *p) {
  otp_proc_push_value(L, p, p->name_ref);
}

