/*
** Distribution as Lua sees it: otp.disconnect, otp.monitor_node, and the
** primitives behind otp.connect and otp.rpc (lua/otp/connect.lua, rpc.lua:
** they wait for the answer in a receive).  Each reaches the node's
** distribution through node->dist_ops (core/dist_ops.h); on a node
** without a name they say so.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/dist_ops.h"
#include "core/node.h"
#include "core/term.h"

static const char *check_node_name(lua_State *L, int idx, const char *fname) {
  if (lua_type(L, idx) != LUA_TSTRING)
    otp_raise(L, "badarg: %s needs a node name (a string like \"name@host\"), got %s", fname,
              luaL_typename(L, idx));
  const char *s = lua_tostring(L, idx);
  const char *at = strchr(s, '@');
  if (!at || at == s || !at[1] || lua_rawlen(L, idx) > 255)
    otp_raise(L, "badarg: %s needs a node name like \"name@host\", got '%s'", fname, s);
  return s;
}

/* The block_ms of disconnect's options: 0 if none; at most a day. */
static uint64_t block_ms_of(lua_State *L, int idx) {
  if (lua_isnoneornil(L, idx)) return 0;
  otp_arg_type(L, idx, LUA_TTABLE, "otp.disconnect(node, opts)", "an options table {block_ms = N}");
  lua_getfield(L, idx, "block_ms");
  lua_Integer ms = lua_isinteger(L, -1) ? lua_tointeger(L, -1) : -1;
  if (lua_isnil(L, -1)) ms = 0;
  lua_pop(L, 1);
  if (ms < 0 || ms > 86400000)
    otp_raise(L, "badarg: otp.disconnect's block_ms is the milliseconds the node is kept out "
              "(an integer from 0 to 86400000)");
  return (uint64_t)ms;
}

/* disconnect(node[, {block_ms = N}]) -> true if it was connected, false if
** not; with block_ms the node can neither reconnect nor be reconnected to
** for that long (a partition that lasts) */
static int l_disconnect(lua_State *L) {
  otp_node *node = otp_node_of(L);
  const char *peer = check_node_name(L, 1, "otp.disconnect");
  uint64_t block_ms = block_ms_of(L, 2);
  otp_self(L);
  if (!node->dist_ops) {
    lua_pushliteral(L, "ignored");      /* Erlang's answer on a node that is not alive */
    return 1;
  }
  lua_pushboolean(L, node->dist_ops->disconnect(node, peer, block_ms));
  return 1;
}

/* monitor_node(node, flag) -> true; {"nodedown", node} when it goes */
static int l_monitor_node(lua_State *L) {
  otp_node *node = otp_node_of(L);
  const char *peer = check_node_name(L, 1, "otp.monitor_node");
  otp_arg_type(L, 2, LUA_TBOOLEAN, "otp.monitor_node(node, flag)", "true or false");
  otp_proc *self = otp_self(L);
  if (!node->dist_ops)
    return otp_raise(L, "notalive: otp.monitor_node needs a node with a name (start otplab "
                     "with --sname NAME)");
  if (self->vm != &node->main)
    return otp_raise(L, "badarg: otp.monitor_node is not available inside a sandbox");
  node->dist_ops->monitor_node(node, peer, self->pid, lua_toboolean(L, 2));
  lua_pushboolean(L, 1);
  return 1;
}

/* dist_core.connect(node) -> true | false, or nil, ref (the answer comes
** as {"$dist_connect", ref, ok}) */
static int l_connect(lua_State *L) {
  otp_node *node = otp_node_of(L);
  const char *peer = check_node_name(L, 1, "otp.connect");
  otp_proc *self = otp_self(L);
  if (!node->dist_ops || self->vm != &node->main) {
    lua_pushboolean(L, 0);
    return 1;
  }
  lua_pushnil(L);
  uint64_t ref = otp_new_ref(L, 1);
  int r = node->dist_ops->connect(node, peer, self->pid, ref);
  if (r != 0) {
    lua_pushboolean(L, r > 0);
    return 1;
  }
  return 2;
}

/* dist_core.rpc_send(node, module, fn, args, ref[, group_leader]) */
static int l_rpc_send(lua_State *L) {
  otp_node *node = otp_node_of(L);
  const char *peer = check_node_name(L, 1, "otp.rpc");
  otp_arg_type(L, 2, LUA_TSTRING, "otp.rpc(node, module, fn, args)", "a module name");
  otp_arg_type(L, 3, LUA_TSTRING, "otp.rpc(node, module, fn, args)", "a function name");
  otp_arg_type(L, 4, LUA_TTABLE, "otp.rpc(node, module, fn, args)", "an array of arguments");
  if (lua_rawlen(L, 2) > 255 || lua_rawlen(L, 3) > 255)
    return otp_raise(L, "badarg: otp.rpc: a module or function name has at most 255 bytes");
  otp_proc *self = otp_self(L);
  uint64_t ref = otp_to_ref(L, 5);
  if (!ref) return otp_raise(L, "badarg: otp.rpc needs a ref");
  otp_intern_ref(L, 5);                 /* the reply brings it back: the same value */
  if (!node->dist_ops)
    return otp_raise(L, "notalive: otp.rpc needs a node with a name (start otplab with "
                     "--sname NAME)");
  otp_pid gl = otp_to_pid(L, 6);
  node->dist_ops->rpc(node, L, peer, 2, 3, 4, self->pid, gl ? gl : self->pid, ref);
  lua_pushboolean(L, 1);
  return 1;
}

/* dist_core.spawn_send(node, ref, fn, ...): the function crosses as a
** sandbox spawn's does (xcopy's spawn mode, upvalues copied), its pids and
** refs, in upvalues or in arguments, as the other node's terms for them */
static int l_spawn_send(lua_State *L) {
  otp_node *node = otp_node_of(L);
  const char *peer = check_node_name(L, 1, "otp.spawn_on");
  uint64_t ref = otp_to_ref(L, 2);
  otp_arg_type(L, 3, LUA_TFUNCTION, "otp.spawn_on(node, fn, ...)", "a function to run");
  otp_proc *self = otp_self(L);
  if (!ref) return otp_raise(L, "badarg: otp.spawn_on needs a ref");
  if (!node->dist_ops)
    return otp_raise(L, "notalive: otp.spawn_on needs a node with a name (start otplab with "
                     "--sname NAME)");
  otp_intern_ref(L, 2);
  int nargs = lua_gettop(L) - 3;
  lua_createtable(L, nargs, 0);
  for (int i = 1; i <= nargs; i++) {
    lua_pushvalue(L, 3 + i);
    lua_rawseti(L, -2, i);
  }
  node->dist_ops->spawn(node, L, peer, self->pid, ref, 3, lua_gettop(L));
  lua_pushboolean(L, 1);
  return 1;
}

const luaL_Reg otp_dist_funcs[] = {
  {"disconnect", l_disconnect},
  {"monitor_node", l_monitor_node},
  {NULL, NULL}
};

void otp_dist_core_register(lua_State *L) {
  static const luaL_Reg core[] = {
    {"connect", l_connect}, {"rpc_send", l_rpc_send}, {"spawn_send", l_spawn_send}, {NULL, NULL}};
  luaL_newlib(L, core);
  lua_setfield(L, -2, "dist_core");
}
