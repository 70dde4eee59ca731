/*
** otp.net: the server as the API server process sees it (main state only,
** registered by `otplab serve`).
**   attach()                       this process now receives the requests
**   server_process(pid)            pid's time is the server's (held to its share)
**   reply(id, status, body[, "json"|"text"]) -> true, or false if the request is gone
**   ws_send(id, text)              -> true (queued), false (dropped: queue full),
**                                     or nil, "closed"
**   ws_info(id)                    -> {queued=, sent=, dropped=} or nil
**   ws_close(id)                   closes the client once its queued frames are out
**   stats()                        -> the server's counters
**   run_file(path, timeout_ms)     -> id: `otplab run path` in a child otplab; the
**                                     caller gets {"child_done", id, result} (child.c)
**   realpath(path), list_files(dir, suffix)
**   json_encode(value, array_mt)   -> JSON text (json_encode.c; otp.api.json wraps it)
*/
#include <string.h>
#include <lauxlib.h>
#include "net/conn.h"
#include "lua/lotp.h"
#include "core/env.h"
#include "core/term.h"

int luaopen_cjson(lua_State *L);

static otp_net *net_of(lua_State *L) {
  return lua_touserdata(L, lua_upvalueindex(1));
}

static int l_attach(lua_State *L) {
  otp_net *net = net_of(L);
  otp_proc *self = otp_self(L);
  net->server = self->pid;
  self->cpu_group = OTP_CPU_SERVER;
  lua_pushinteger(L, net->port);
  return 1;
}

static int l_server_process(lua_State *L) {
  otp_proc *p = otp_proc_get(net_of(L)->node, otp_check_pid(L, 1));
  if (p) p->cpu_group = OTP_CPU_SERVER;
  return 0;
}

static uint64_t arg_id(lua_State *L, int idx, const char *fname) {
  if (!lua_isinteger(L, idx)) otp_raise(L, "badarg: %s needs a connection id, got %s", fname,
                                        luaL_typename(L, idx));
  return (uint64_t)lua_tointeger(L, idx);
}

static int l_reply(lua_State *L) {
  otp_net *net = net_of(L);
  otp_net_conn *c = otp_net_conn_find(net, arg_id(L, 1, "otp.net.reply"));
  lua_Integer status = luaL_checkinteger(L, 2);
  if (status < 100 || status > 599)
    return otp_raise(L, "badarg: otp.net.reply needs an HTTP status from 100 to 599, got %I",
                     status);
  size_t len;
  const char *body = luaL_checklstring(L, 3, &len);
  const char *type = luaL_optstring(L, 4, "json");
  if (strcmp(type, "json") != 0 && strcmp(type, "text") != 0)
    return otp_raise(L, "badarg: otp.net.reply's body type is \"json\" or \"text\", got '%s'",
                     type);
  if (!c || c->is_ws || c->resp_status || net->closing) {
    lua_pushboolean(L, 0);
    return 1;
  }
  /* the connection keeps the type until it is written: constant strings only */
  otp_net_respond(c, (int)status,
                  strcmp(type, "text") == 0 ? "text/plain; charset=utf-8" : "application/json",
                  body, len);
  lua_pushboolean(L, 1);
  return 1;
}

static int l_ws_send(lua_State *L) {
  otp_net *net = net_of(L);
  otp_net_conn *c = otp_net_conn_find(net, arg_id(L, 1, "otp.net.ws_send"));
  size_t len;
  const char *text = luaL_checklstring(L, 2, &len);
  if (!c || !c->is_ws || net->closing) {
    lua_pushnil(L);
    lua_pushliteral(L, "closed");
    return 2;
  }
  lua_pushboolean(L, otp_ws_queue(c, text, len));
  return 1;
}

static int l_ws_close(lua_State *L) {
  otp_net *net = net_of(L);
  otp_net_conn *c = otp_net_conn_find(net, arg_id(L, 1, "otp.net.ws_close"));
  if (c && c->is_ws && !net->closing) otp_ws_close(c);
  return 0;
}

static void set_count(lua_State *L, const char *key, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, key);
}

static int l_ws_info(lua_State *L) {
  otp_net_conn *c = otp_net_conn_find(net_of(L), arg_id(L, 1, "otp.net.ws_info"));
  if (!c || !c->is_ws) return 0;
  lua_createtable(L, 0, 3);
  set_count(L, "queued", c->q_len);
  set_count(L, "sent", c->sent);
  set_count(L, "dropped", c->dropped);
  return 1;
}

static int l_stats(lua_State *L) {
  otp_net *net = net_of(L);
  uint32_t open = 0, ws = 0;
  for (uint32_t i = 0; i < net->nconns; i++)
    if (net->conns[i]) {
      open++;
      ws += (uint32_t)net->conns[i]->is_ws;
    }
  lua_createtable(L, 0, 20);
  set_count(L, "port", (uint64_t)net->port);
  set_count(L, "connections", open);
  set_count(L, "ws_clients", ws);
  set_count(L, "ws_clients_total", net->ws_clients);
  set_count(L, "requests", net->requests);
  set_count(L, "responses", net->responses);
  set_count(L, "refused", net->refused);
  set_count(L, "ws_frames", net->ws_frames);
  set_count(L, "ws_dropped", net->ws_dropped);
  set_count(L, "children", (uint64_t)net->nchildren);
  lua_pushboolean(L, net->token != NULL);
  lua_setfield(L, -2, "token_required");
  set_count(L, "ws_queue_max", OTP_NET_WS_QUEUE);
  set_count(L, "max_body", OTP_NET_MAX_BODY);
  lua_pushnumber(L, net->share.fraction);
  lua_setfield(L, -2, "share");
  set_count(L, "waiting", net->share.waiting);
  set_count(L, "waiting_max", OTP_NET_MAX_WAITING);
  set_count(L, "deferred", net->share.deferred);
  set_count(L, "shed", net->share.shed);
  set_count(L, "server_us", net->node->group_us[OTP_CPU_SERVER]);
  set_count(L, "server_io_us", net->share.io_total_ns / 1000);
  set_count(L, "user_us", net->node->group_us[OTP_CPU_USER]);
  lua_pushnumber(L, net->share.cost_ns / 1000);
  lua_setfield(L, -2, "request_cost_us");
  return 1;
}

static void push_net(lua_State *L, otp_net *net) {
  static const luaL_Reg funcs[] = {{"attach", l_attach}, {"server_process", l_server_process},
                                   {"reply", l_reply},
                                   {"ws_send", l_ws_send}, {"ws_info", l_ws_info}, {"ws_close", l_ws_close},
                                   {"stats", l_stats}, {"run_file", otp_net_l_run_file},
                                   {"realpath", otp_net_l_realpath},
                                   {"list_files", otp_net_l_list_files},
                                   {"json_encode", otp_net_l_json_encode}, {NULL, NULL}};
  luaL_newlibtable(L, funcs);
  lua_pushlightuserdata(L, net);
  luaL_setfuncs(L, funcs, 1);
}

/* otp_internal.net, for the API server's own Lua files (lua/otp/api/) only:
** any other process calling attach() would take the server's requests. */
void otp_net_open_lua(otp_net *net, lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, OTP_ENV_INTERNAL);
  push_net(L, net);
  lua_setfield(L, -2, "net");
  lua_pop(L, 1);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_cjson);
  lua_setfield(L, -2, "cjson");
  lua_pop(L, 1);
}
