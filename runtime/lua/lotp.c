/*
** The otp module: every function group, the otp._ wildcard, and the Lua half
** of the library (otp.gen_server, otp.expect, ...) loaded on first use from
** lua/otp/NAME.lua.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/term.h"
#include "core/env.h"
#include "core/node.h"
#include "otp/analytics.h"
#include "lua/lanalytics.h"

otp_proc *otp_self(lua_State *L) {
  otp_proc *p = otp_node_of(L)->current;
  if (!p) luaL_error(L, "otp functions can only be called from a process");
  return p;
}

void otp_arg_type(lua_State *L, int idx, int type, const char *fname, const char *what) {
  if (lua_type(L, idx) != type)
    otp_raise(L, "badarg: %s needs %s, got %s", fname, what, luaL_typename(L, idx));
}

const char *otp_arg_string(lua_State *L, int idx, const char *fname) {
  otp_arg_type(L, idx, LUA_TSTRING, fname, "a string");
  return lua_tostring(L, idx);
}

int otp_arg_option(lua_State *L, int idx, const char *def, const char *const list[],
                   const char *fname) {
  const char *name = def && lua_isnoneornil(L, idx) ? def : otp_arg_string(L, idx, fname);
  for (int i = 0; list[i]; i++)
    if (list[i][0] == name[0] && strcmp(list[i], name) == 0) return i;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 0; list[i]; i++) {
    if (i) luaL_addstring(&b, ", ");
    luaL_addstring(&b, list[i]);
  }
  luaL_pushresult(&b);
  return otp_raise(L, "badarg: %s does not know '%s' (expected one of: %s)", fname, name,
                   lua_tostring(L, -1));
}

void otp_library_replace(lua_State *L, const char *lib, const luaL_Reg *funcs) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getfield(L, -1, lib);                 /* the real table behind the proxy */
  luaL_setfuncs(L, funcs, 0);
  lua_pop(L, 2);
}

void otp_sort_list(lua_State *L) {
  lua_getglobal(L, "table");
  lua_getfield(L, -1, "sort");
  lua_pushvalue(L, -3);
  lua_call(L, 1, 0);
  lua_pop(L, 1);
}

static int any_tostring(lua_State *L) {
  lua_pushliteral(L, "otp._");
  return 1;
}

/* otp.NAME for a name not defined in C: require "otp.NAME". */
static int lazy_submodule(lua_State *L) {
  const char *name = luaL_checkstring(L, 2);
  lua_getglobal(L, "require");
  lua_pushfstring(L, "otp.%s", name);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    const char *err = lua_tostring(L, -1);
    if (err && strstr(err, "not found:")) return 0;   /* otp.nothing is nil */
    return lua_error(L);
  }
  lua_pushvalue(L, 2);
  lua_pushvalue(L, -2);
  lua_rawset(L, 1);
  return 1;
}

/* The bindings only the library's own Lua files may use (the supervisor
** machines, the sandbox and fault cores) and the raw module table otp.code
** installs versions in: moved from the otp table (on top of the stack) to
** the registry's OTP_ENV_INTERNAL table, which env.c hands to modules
** loaded from otplab's own folder as the global `otp_internal`. User code
** never sees them: a machine given the wrong shape, or a value moved into
** another state's mailbox, could corrupt the node. */
static void hide_internals(lua_State *L) {
  static const char *const internal[] = {"supervisor_core", "sandbox_core", "fault_core",
                                         "dist_core", NULL};
  int otp = lua_gettop(L);
  lua_newtable(L);
  for (int i = 0; internal[i]; i++) {
    lua_getfield(L, otp, internal[i]);
    lua_setfield(L, -2, internal[i]);
    lua_pushnil(L);
    lua_setfield(L, otp, internal[i]);
  }
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_setfield(L, -2, "loaded");
  lua_getfield(L, LUA_REGISTRYINDEX, OTP_ENV_DEBUG);
  lua_setfield(L, -2, "debug");
  lua_setfield(L, LUA_REGISTRYINDEX, OTP_ENV_INTERNAL);
}

int luaopen_otp(lua_State *L) {
  lua_newtable(L);                   /* otp._ : matches any present value */
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, any_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  otp_env_share(L, -1);
  int any = lua_gettop(L);

  lua_newtable(L);
  const luaL_Reg *groups[] = {otp_spawn_funcs, otp_message_funcs, otp_receive_funcs,
                              otp_signal_funcs, otp_info_funcs, otp_dist_funcs,
                              otp_ekind_funcs};
  for (size_t i = 0; i < sizeof groups / sizeof *groups; i++) {
    lua_pushvalue(L, any);
    luaL_setfuncs(L, groups[i], 1);
  }
  lua_pushvalue(L, any);
  lua_setfield(L, -2, "_");
  luaopen_otp_trace(L);
  otp_env_readonly(L, -1);
  lua_setfield(L, -3, "trace");
  lua_pop(L, 1);
  otp_supervisor_core_register(L);
  otp_sandbox_core_register(L);
  otp_stdin_register(L);
  otp_analytics_register(L);
  otp_fault_core_register(L);
  otp_dist_core_register(L);
  hide_internals(L);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, lazy_submodule);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);

  otp_env_readonly(L, -1);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushvalue(L, -3);       /* the table itself: tracebacks name otp.receive */
  lua_setfield(L, -2, "otp");
  lua_pop(L, 1);
  lua_setglobal(L, "otp");
  lua_pop(L, 2);
  otp_coroutine_init(L);
  otp_pattern_register(L);
  otp_sandbox_loops_register(L);
  return 0;
}

otp_node *otp_node_new(const otp_node_config *cfg, char *err, size_t errlen) {
  return otp_node_create(cfg, luaopen_otp, err, errlen);
}
