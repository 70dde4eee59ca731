/*
** otp.trace: sessions that record runtime events (API.md section 4).
**
** Where the `filter` function runs. The trace point (trace.c) is reached from
** inside the scheduler (exit finalisation, signal delivery) and from C code in
** mid-operation, where running user code is unsafe; so it never calls the
** filter. Every event the session's pids and kinds select goes to the ring,
** and the filter is applied when events are read: session:events(),
** dump(), sequence_diagram() and analyze() (lua/otp/trace_output.lua) call
** it from Lua in the reading process, where it can be preempted like any
** other code. With both `filter` and `to`, start() spawns a relay process
** that receives the raw events, calls the filter and forwards the kept ones
** to `to` as {"trace", event} (otp.trace._forward); the relay ends with the
** session, its owner or its subscriber. So the ring's size, status().events
** and dropped count the events before filtering; `rate` counts them too.
** A filter that raises: events() and the outputs raise; the relay drops the
** event.
**
** Options: pids, kinds, filter, max_events (ring, newest kept), rate (events
** per second; past it the session stops, stopped_because = "rate"),
** max_payload (bytes of msg/reason/id copied per event, default 4096;
** bigger ones become {"truncated", bytes_estimate} and the event gets
** truncated = true; an event shared by several sessions is copied with the
** largest of their caps), to, max_queue (the subscriber's mailbox length at
** which events are dropped for it and counted in dropped_to_subscriber,
** default 1000). `sandbox` is not available yet.
*/
#include <string.h>
#include "lua/lotp.h"
#include "sandbox/sandbox.h"
#include "core/node.h"
#include "core/term.h"
#include "tracer/session.h"
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

/* opts[name]: nil gives def, else an integer >= min. */
static lua_Integer opt_count(lua_State *L, const char *name, lua_Integer def, lua_Integer min) {
  lua_Integer v = def;
  if (lua_getfield(L, 1, name) != LUA_TNIL) {
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < min)
      otp_raise(L, "badarg: trace option %s must be an integer >= %I", name, min);
    v = lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

/* Pushes the Lua half of the session methods (otp.trace_output). */
static void push_output_module(lua_State *L) {
  lua_getglobal(L, "require");
  lua_pushliteral(L, "otp.trace_output");
  lua_call(L, 1, 1);
}

/* Unknown keys in the options at index 1: badarg naming the key, with "did
** you mean" (the shared check of lua/otp/errors.lua). */
static void check_option_keys(lua_State *L) {
  static const char *const keys[] = {"pids", "kinds", "filter", "max_events", "rate", "to",
                                     "max_payload", "max_queue", "sandbox", NULL};
  lua_getglobal(L, "require");
  lua_pushliteral(L, "otp.errors");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "check_keys");
  lua_pushvalue(L, 1);
  lua_newtable(L);
  for (int i = 0; keys[i]; i++) {
    lua_pushstring(L, keys[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushliteral(L, "otp.trace.start's options");
  lua_pushinteger(L, 1);
  lua_call(L, 4, 0);
  lua_pop(L, 1);
}

static int l_start(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  if (lua_isnoneornil(L, 1)) lua_newtable(L);
  otp_arg_type(L, 1, LUA_TTABLE, "otp.trace.start", "an options table");
  lua_settop(L, 1);
  check_option_keys(L);
  if (self->vm != &node->main)
    return otp_raise(L, "badarg: tracing is done from the host, not from inside a "
                      "sandbox (otp.trace.start{sandbox = name} there)");
  uint32_t sandbox_id = 0;
  if (lua_getfield(L, 1, "sandbox") != LUA_TNIL) {
    const char *name = lua_tostring(L, -1);
    otp_sandbox *sb = name ? otp_sandbox_find(node, name) : NULL;
    if (!sb)
      return otp_raise(L, "badarg: trace option sandbox names no sandbox (%s)",
                        luaL_tolstring(L, -1, NULL));
    sandbox_id = sb->id;
  }
  lua_pop(L, 1);
  otp_trace_session *s = lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s);
  s->pids_ref = s->ring_ref = s->anchor_ref = s->filter_ref = s->names_ref = LUA_NOREF;
  luaL_setmetatable(L, OTP_TRACE_SESSION_MT);
  s->sandbox_id = sandbox_id;
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
  s->rate = (uint64_t)opt_count(L, "rate", 0, 1);
  s->max_payload = (size_t)opt_count(L, "max_payload", OTP_TRACE_DEFAULT_PAYLOAD, 16);
  s->max_queue = (uint32_t)opt_count(L, "max_queue", OTP_TRACE_DEFAULT_QUEUE, 1);
  int t = lua_getfield(L, 1, "filter");
  if (t == LUA_TFUNCTION) s->filter_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  else if (t == LUA_TNIL) lua_pop(L, 1);
  else return otp_raise(L, "badarg: trace option filter must be a function, got %s",
                        luaL_typename(L, -1));
  s->owner = self->pid;
  s->started_ns = otp_now_ns();
  s->id = otp_trace_new_id(node);
  lua_createtable(L, (int)(max < 1024 ? max : 1024), 0);
  s->ring_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushvalue(L, -1);
  s->anchor_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (otp_trace_attach(node, s) != 0)
    return otp_raise(L, "limit: too many trace sessions at once (at most %d)",
                      OTP_TRACE_MAX_SESSIONS);
  if (s->to && s->filter_ref != LUA_NOREF) {   /* the relay that filters for `to` */
    int sess = lua_gettop(L);
    push_output_module(L);
    lua_getfield(L, -1, "start_relay");
    lua_pushinteger(L, (lua_Integer)s->id);
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->filter_ref);
    otp_push_pid(L, s->to);
    otp_push_pid(L, s->owner);
    if (lua_pcall(L, 4, 1, 0) != LUA_OK) {
      otp_trace_detach(node, s, "stopped");
      return lua_error(L);
    }
    s->relay = otp_to_pid(L, -1);
    lua_settop(L, sess);
  }
  return 1;
}

/* _forward(session_id, event): the relay hands over an event its filter
** kept; false once the session has ended. */
static int l_forward(lua_State *L) {
  otp_node *node = otp_node_of(L);
  if (!lua_isinteger(L, 1))
    return otp_raise(L, "badarg: otp.trace._forward needs a session id (an integer) as "
                     "argument 1, got %s", luaL_typename(L, 1));
  if (!lua_istable(L, 2))
    return otp_raise(L, "badarg: otp.trace._forward needs an event table as argument 2, "
                     "got %s", luaL_typename(L, 2));
  otp_trace_session *s = otp_trace_find(node, (uint64_t)lua_tointeger(L, 1));
  if (!s) {
    lua_pushboolean(L, 0);
    return 1;
  }
  otp_trace_deliver(node, L, s, s->to, 2);
  lua_pushboolean(L, 1);
  return 1;
}

static int l_stop(lua_State *L) {
  otp_trace_session *s = check_session(L);
  otp_trace_detach(otp_node_of(L), s, "stopped");
  lua_pushboolean(L, 1);
  return 1;
}

/* _events([filter]): the ring, oldest first, before the session's filter;
** filter(event) keeps those it returns true for. events() is in Lua. */
static int l_events(lua_State *L) {
  otp_trace_session *s = check_session(L);
  int filter = lua_isfunction(L, 2);
  lua_settop(L, 2);
  lua_createtable(L, (int)s->count, 0);
  lua_Integer n = 0;
  for (size_t i = s->head - s->count; i < s->head; i++) {
    otp_trace_push_event(L, s, i);
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
  s->head = s->count = s->head_slot = 0;
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
  lua_pushinteger(L, (lua_Integer)s->dropped_to_subscriber);
  lua_setfield(L, -2, "dropped_to_subscriber");
  lua_pushinteger(L, (lua_Integer)s->recorded);
  lua_setfield(L, -2, "recorded");
  lua_pushinteger(L, (lua_Integer)s->truncated);
  lua_setfield(L, -2, "truncated");
  lua_pushinteger(L, (lua_Integer)s->max_events);
  lua_setfield(L, -2, "max_events");
  if (s->rate) {
    lua_pushinteger(L, (lua_Integer)s->rate);
    lua_setfield(L, -2, "rate");
  }
  if (s->relay) {
    otp_push_pid(L, s->relay);
    lua_setfield(L, -2, "relay");
  }
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
  luaL_unref(L, LUA_REGISTRYINDEX, s->filter_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, s->names_ref);
  s->ring_ref = s->pids_ref = s->filter_ref = s->names_ref = LUA_NOREF;
  otp_trace_free_records(L, s);
  return 0;
}

/* _filter(): the session's filter function or nil. */
static int l_filter(lua_State *L) {
  otp_trace_session *s = check_session(L);
  if (s->filter_ref == LUA_NOREF) lua_pushnil(L);
  else lua_rawgeti(L, LUA_REGISTRYINDEX, s->filter_ref);
  return 1;
}

/* session.NAME: the C methods, else the Lua ones (otp.trace_output). */
static int l_index(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  push_output_module(L);
  lua_pushvalue(L, 2);
  lua_gettable(L, -2);
  return 1;
}

/* The run's ring (API.md section 6): `otplab run` and `test` record the
** newest events of the run so that a failed expectation can show the trace
** leading to it. Sends, exits, spawns, links, monitors, names and the
** supervisor and sandbox events; not receive or scheduling (they would
** crowd out the rest). */
static const char run_ring_key = 0;
static const char *const run_ring_kinds[] = {
  "spawn", "exit", "link", "unlink", "monitor", "down", "send", "send_to_dead", "register",
  "sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown", "sandbox_create",
  "sandbox_destroy", "sandbox_restart", "limit_killed", NULL
};

int otp_trace_start_run_ring(otp_node *node, otp_pid owner, int max_events) {
  lua_State *L = node->L;
  otp_proc *p = otp_proc_get(node, owner);
  if (!p || max_events <= 0) return -1;
  otp_proc *was = node->current;      /* the session belongs to the first process */
  node->current = p;
  lua_pushcfunction(L, l_start);
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, max_events);
  lua_setfield(L, -2, "max_events");
  lua_newtable(L);
  for (int i = 0; run_ring_kinds[i]; i++) {
    lua_pushstring(L, run_ring_kinds[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "kinds");
  int status = lua_pcall(L, 1, 1, 0);
  node->current = was;
  if (status != LUA_OK) {
    lua_pop(L, 1);
    return -1;
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &run_ring_key);
  return 0;
}

/* _run_ring(): the run's ring session, or nil (not under run/test, or inside
** a sandbox). */
static int l_run_ring(lua_State *L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &run_ring_key);
  return 1;
}

int luaopen_otp_trace(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"stop", l_stop}, {"_events", l_events}, {"clear", l_clear}, {"status", l_status},
    {"_filter", l_filter}, {NULL, NULL}
  };
  luaL_newmetatable(L, OTP_TRACE_SESSION_MT);
  luaL_newlib(L, methods);
  lua_pushcclosure(L, l_index, 1);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, l_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
  lua_newtable(L);
  lua_pushcfunction(L, l_start);
  lua_setfield(L, -2, "start");
  lua_pushcfunction(L, l_forward);
  lua_setfield(L, -2, "_forward");
  lua_pushcfunction(L, l_run_ring);
  lua_setfield(L, -2, "_run_ring");
  return 1;
}
