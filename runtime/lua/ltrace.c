/*
** otp.trace: sessions that record runtime events (API.md section 4).
** This is the minimal session: pids, kinds, max_events and to.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/node.h"
#include "core/term.h"
#include "trace/session.h"
#include "trace/trace.h"

static otp_trace_session *check_session(lua_State *L) {
  return luaL_checkudata(L, 1, OTP_TRACE_SESSION_MT);
}

static void parse_pids(lua_State *L, otp_node *node, otp_trace_session *s) {
  int t = lua_getfield(L, 1, "pids");
  if (t == LUA_TNIL || (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "all") == 0)) {
    s->pids_mode = 0;
  } else if (t == LUA_TSTRING && strcmp(lua_tostring(L, -1), "new") == 0) {
    s->pids_mode = 1;
    s->first_new_serial = node->next_serial + 1;
  } else if (t == LUA_TTABLE) {
    s->pids_mode = 2;
    lua_newtable(L);
    for (lua_Integer i = 1; lua_rawgeti(L, -2, i) != LUA_TNIL; i++) {
      otp_pid pid = otp_to_pid(L, -1);
      if (!pid) otp_raise(L, "badarg: trace option pids[%I] is not a pid", i);
      lua_pop(L, 1);
      lua_pushboolean(L, 1);
      lua_rawseti(L, -2, (lua_Integer)pid);
    }
    lua_pop(L, 1);
    s->pids_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  } else {
    otp_raise(L, "badarg: trace option pids must be \"all\", \"new\" or a list of pids");
  }
  lua_pop(L, 1);
}

static void parse_kinds(lua_State *L, otp_trace_session *s) {
  int t = lua_getfield(L, 1, "kinds");
  if (t == LUA_TNIL) {
    s->kinds = (1u << OTP_EV__COUNT) - 1;
  } else if (t == LUA_TTABLE) {
    for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
      const char *name = lua_tostring(L, -1);
      int k = name ? otp_trace_kind_from_name(name) : -1;
      if (k < 0)
        otp_raise(L, "badarg: '%s' is not a trace event kind (kinds: spawn, exit, "
                   "link, unlink, monitor, demonitor, down, send, send_to_dead, "
                   "receive, register, unregister, sched_in, sched_out, timer, ...)",
                   name ? name : luaL_typename(L, -1));
      s->kinds |= 1u << k;
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  } else {
    otp_raise(L, "badarg: trace option kinds must be a list of event kinds");
  }
  lua_pop(L, 1);
}

static int l_start(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  if (lua_isnoneornil(L, 1)) lua_newtable(L);
  otp_arg_type(L, 1, LUA_TTABLE, "otp.trace.start", "an options table");
  lua_settop(L, 1);
  static const char *const later[] = {"filter", "rate", "sandbox", NULL};
  for (int i = 0; later[i]; i++)
    if (lua_getfield(L, 1, later[i]) != LUA_TNIL)
      return otp_raise(L, "badarg: trace option '%s' is not available in this "
                        "version of otplab", later[i]);
    else lua_pop(L, 1);
  otp_trace_session *s = lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s);
  s->pids_ref = s->ring_ref = s->anchor_ref = LUA_NOREF;
  luaL_setmetatable(L, OTP_TRACE_SESSION_MT);
  parse_pids(L, node, s);
  parse_kinds(L, s);
  lua_getfield(L, 1, "max_events");
  lua_Integer max = luaL_optinteger(L, -1, 10000);
  if (max < 1) return otp_raise(L, "badarg: max_events must be at least 1");
  s->max_events = (size_t)max;
  lua_pop(L, 1);
  if (lua_getfield(L, 1, "to") != LUA_TNIL) {
    s->to = otp_to_pid(L, -1);
    if (!s->to) return otp_raise(L, "badarg: trace option to must be a pid");
  }
  lua_pop(L, 1);
  s->owner = self->pid;
  lua_createtable(L, (int)(max < 1024 ? max : 1024), 0);
  s->ring_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -1);
  s->anchor_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (otp_trace_attach(node, s) != 0)
    return otp_raise(L, "limit: too many trace sessions at once (at most %d)",
                      OTP_TRACE_MAX_SESSIONS);
  return 1;
}

static int l_stop(lua_State *L) {
  otp_trace_session *s = check_session(L);
  otp_trace_detach(otp_node_of(L), s, "stopped");
  lua_pushboolean(L, 1);
  return 1;
}

/* events([filter]): oldest first; filter(event) keeps those it returns true for. */
static int l_events(lua_State *L) {
  otp_trace_session *s = check_session(L);
  int filter = lua_isfunction(L, 2);
  lua_settop(L, 2);
  lua_createtable(L, (int)s->count, 0);
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->ring_ref);
  lua_Integer n = 0;
  for (size_t i = s->head - s->count; i < s->head; i++) {
    lua_rawgeti(L, 4, (lua_Integer)(i % s->max_events) + 1);
    if (filter) {
      lua_pushvalue(L, 2);
      lua_pushvalue(L, -2);
      lua_call(L, 1, 1);
      int keep = lua_toboolean(L, -1);
      lua_pop(L, 1);
      if (!keep) {
        lua_pop(L, 1);
        continue;
      }
    }
    lua_rawseti(L, 3, ++n);
  }
  lua_settop(L, 3);
  return 1;
}

static int l_clear(lua_State *L) {
  otp_trace_session *s = check_session(L);
  lua_newtable(L);
  lua_rawseti(L, LUA_REGISTRYINDEX, s->ring_ref);
  s->head = s->count = 0;
  return 0;
}

static int l_status(lua_State *L) {
  otp_trace_session *s = check_session(L);
  lua_createtable(L, 0, 4);
  lua_pushboolean(L, s->active);
  lua_setfield(L, -2, "active");
  lua_pushinteger(L, (lua_Integer)s->count);
  lua_setfield(L, -2, "events");
  lua_pushinteger(L, (lua_Integer)s->dropped);
  lua_setfield(L, -2, "dropped");
  if (s->stopped_because) {
    lua_pushstring(L, s->stopped_because);
    lua_setfield(L, -2, "stopped_because");
  }
  return 1;
}

static int l_gc(lua_State *L) {
  otp_trace_session *s = check_session(L);
  luaL_unref(L, LUA_REGISTRYINDEX, s->ring_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, s->pids_ref);
  return 0;
}

int luaopen_otp_trace(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"stop", l_stop}, {"events", l_events}, {"clear", l_clear}, {"status", l_status},
    {NULL, NULL}
  };
  luaL_newmetatable(L, OTP_TRACE_SESSION_MT);
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, l_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushcfunction(L, l_start);
  lua_setfield(L, -2, "start");
  return 1;
}
