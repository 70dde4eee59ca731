/*
** otp.spawn_on's other half: a node asks this one to run a Lua function.
** The function comes as a sandbox spawn's does (xcopy's spawn mode,
** bytecode with its upvalues), trusted as Erlang trusts a node that knows
** the cookie: it may run anything here anyway.  Its arguments, and the pids
** and refs its upvalues hold (by index into Terms), come as Erlang terms,
** so that they are the other node's processes here.
** The answer is {"$otplab_spawned", ref, pid} or {..., ref, false, why}.
*/
#include <string.h>
#include <lauxlib.h>
#include "dist/dist_internal.h"
#include "core/node.h"
#include "core/proc.h"
#include "core/remote.h"
#include "core/signal.h"
#include "core/term.h"
#include "core/ekind.h"
#include "core/xcopy.h"
#include "lua/lotp.h"

void dist_spawn_request(dist_conn *c, lua_State *L) {
  otp_node *node = c->dist->node;
  int req = lua_gettop(L);
  lua_rawgeti(L, req, 2);
  lua_rawgeti(L, req, 3);
  lua_rawgeti(L, req, 4);
  lua_rawgeti(L, req, 5);
  lua_rawgeti(L, req, 6);
  otp_pid from = otp_to_pid(L, -5);
  size_t len;
  const char *bytes;
  if (otp_to_ekind(L, -3, &bytes, &len) != OTP_EK_BINARY) bytes = NULL;
  if (!from || !otp_is_remote(from) || !otp_to_ref(L, -4) || !bytes || !lua_istable(L, -2) ||
      lua_rawlen(L, -2) > 250 || !lua_istable(L, -1)) {
    otp_log(node, OTP_LOG_WARNING, "dist: %s sent a spawn request otplab cannot read", c->peer);
    return;
  }
  otp_xbuf *code = otp_xbuf_from(bytes, len);
  int top = lua_gettop(L);
  otp_proc *p = NULL;
  int status = code ? otp_spawn_decoded(L, code, from, top - 1, top, &p) : LUA_ERRMEM;
  otp_xbuf_free(code);
  lua_createtable(L, 4, 0);                    /* the answer */
  lua_pushliteral(L, "$otplab_spawned");
  lua_rawseti(L, -2, 1);
  lua_pushvalue(L, top - 3);
  lua_rawseti(L, -2, 2);
  if (status == LUA_OK) {
    otp_proc_start(node, p);
    otp_proc_push_pid(L, p);
    lua_rawseti(L, -2, 3);
  } else {
    lua_pushboolean(L, 0);
    lua_rawseti(L, -2, 3);
    lua_pushstring(L, status == LUA_ERRMEM || !lua_isstring(L, -2) ? "out of memory"
                                                                   : lua_tostring(L, -2));
    lua_rawseti(L, -2, 4);
  }
  node->dist_ops->send(node, L, status == LUA_OK ? p->pid : OTP_PID_NONE, from,
                       lua_gettop(L));
}
