/*
** The trace point.  An event becomes a Lua table only when some active
** session wants its kind; it is then offered to each session's filter and
** stored in its ring (the oldest event is dropped when the ring is full) and
** sent to its subscriber, if it has one.
*/
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "trace/trace.h"
#include "trace/session.h"
#include "core/copy.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/signal.h"
#include "core/term.h"

static const char *const kind_names[OTP_EV__COUNT] = {
  "spawn", "exit", "link", "unlink", "monitor", "demonitor", "down", "send",
  "send_to_dead", "receive", "register", "unregister", "sched_in", "sched_out",
  "timer", "sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown",
  "sandbox", "limit_killed"
};

/* The name of the `other` pid field for each kind. */
static const char *const other_names[OTP_EV__COUNT] = {
  "parent", NULL, "peer", "peer", "target", "target", "from", "to", "to", "from",
  NULL, NULL, NULL, NULL, NULL, "child", "child", "child", NULL, NULL, NULL
};

const char *otp_trace_kind_name(otp_trace_kind kind) { return kind_names[kind]; }

int otp_trace_kind_from_name(const char *name) {
  for (int i = 0; i < OTP_EV__COUNT; i++)
    if (strcmp(kind_names[i], name) == 0) return i;
  return -1;
}

static otp_trace_state *state(otp_node *node) {
  if (!node->trace) node->trace = calloc(1, sizeof *node->trace);
  return node->trace;
}

static void recompute_mask(otp_node *node) {
  uint32_t mask = 0;
  otp_trace_state *ts = node->trace;
  for (int i = 0; ts && i < ts->nsessions; i++) mask |= ts->sessions[i]->kinds;
  node->trace_mask = mask;
}

int otp_trace_attach(otp_node *node, otp_trace_session *s) {
  otp_trace_state *ts = state(node);
  if (!ts || ts->nsessions == OTP_TRACE_MAX_SESSIONS) return -1;
  ts->sessions[ts->nsessions++] = s;
  s->active = 1;
  recompute_mask(node);
  return 0;
}

void otp_trace_detach(otp_node *node, otp_trace_session *s, const char *why) {
  otp_trace_state *ts = node->trace;
  if (!s->active || !ts) return;
  for (int i = 0; i < ts->nsessions; i++)
    if (ts->sessions[i] == s) {
      ts->sessions[i] = ts->sessions[--ts->nsessions];
      break;
    }
  s->active = 0;
  s->stopped_because = why;
  luaL_unref(node->L, LUA_REGISTRYINDEX, s->anchor_ref);
  s->anchor_ref = LUA_NOREF;
  recompute_mask(node);
}

static int wants_pid(lua_State *L, otp_trace_session *s, otp_pid pid) {
  if (s->pids_mode == 0) return 1;
  if (s->pids_mode == 1) return otp_pid_serial(pid) >= s->first_new_serial;
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->pids_ref);
  lua_rawgeti(L, -1, (lua_Integer)pid);
  int yes = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return yes;
}

static void push_event(otp_node *node, lua_State *L, otp_trace_kind kind,
                       const otp_trace_info *info) {
  otp_trace_state *ts = node->trace;
  lua_createtable(L, 0, 7);
  lua_pushinteger(L, (lua_Integer)++ts->seq);
  lua_setfield(L, -2, "seq");
  lua_pushinteger(L, (lua_Integer)((otp_now_ns() - node->started_ns) / 1000));
  lua_setfield(L, -2, "t_us");
  lua_pushstring(L, kind_names[kind]);
  lua_setfield(L, -2, "kind");
  if (info->pid) {
    otp_push_pid(L, info->pid);
    lua_setfield(L, -2, "pid");
  }
  if (info->other && other_names[kind]) {
    otp_push_pid(L, info->other);
    lua_setfield(L, -2, other_names[kind]);
  }
  if (info->ref) {
    otp_push_ref(L, info->ref);
    lua_setfield(L, -2, "ref");
  }
  if (info->msg) {
    otp_copy(L, info->msg, OTP_COPY_LENIENT, "msg", 0);
    lua_setfield(L, -2, "msg");
  }
  if (info->reason) {
    otp_copy(L, info->reason, OTP_COPY_LENIENT, "reason", 0);
    lua_setfield(L, -2, "reason");
  }
  if (info->name) {
    lua_pushvalue(L, info->name);
    lua_setfield(L, -2, "name");
  }
  if (info->text) {
    lua_pushstring(L, info->text);
    lua_setfield(L, -2, "limit");
  }
  if (info->id) {
    otp_copy(L, info->id, OTP_COPY_LENIENT, "id", 0);
    lua_setfield(L, -2, "id");
  }
  if (info->strategy) {
    lua_pushstring(L, info->strategy);
    lua_setfield(L, -2, "strategy");
  }
  if (info->old_pid) {
    otp_push_pid(L, info->old_pid);
    lua_setfield(L, -2, "old_pid");
  }
  if (info->new_pid) {
    otp_push_pid(L, info->new_pid);
    lua_setfield(L, -2, "new_pid");
  }
}

static void store(lua_State *L, otp_trace_session *s, int ev) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->ring_ref);
  lua_pushvalue(L, ev);
  lua_rawseti(L, -2, (lua_Integer)(s->head % s->max_events) + 1);
  lua_pop(L, 1);
  s->head++;
  if (s->count < s->max_events) s->count++;
  else s->dropped++;
}

void otp_trace_emit(otp_node *node, otp_trace_kind kind, const otp_trace_info *info) {
  otp_trace_state *ts = node->trace;
  if (!ts || ts->nsessions == 0) return;
  lua_State *L = info->L ? info->L : node->L;
  otp_charge_state cs = otp_charge_receiver(node, NULL);   /* tracing is the node's cost */
  int top = lua_gettop(L);
  int ev = 0;
  for (int i = 0; i < ts->nsessions; i++) {
    otp_trace_session *s = ts->sessions[i];
    if (!((s->kinds >> kind) & 1u) || !wants_pid(L, s, info->pid)) continue;
    if (s->to && (info->pid == s->to)) continue;   /* never trace the subscriber's own traffic */
    if (!ev) {
      push_event(node, L, kind, info);
      ev = lua_gettop(L);
    }
    store(L, s, ev);
    otp_proc *sub = s->to ? otp_proc_get(node, s->to) : NULL;
    if (sub) {
      otp_charge_receiver(node, sub);
      lua_createtable(L, 2, 0);
      lua_pushliteral(L, "trace");
      lua_rawseti(L, -2, 1);
      otp_copy(L, ev, OTP_COPY_LENIENT, "event", 0);
      lua_rawseti(L, -2, 2);
      otp_charge_receiver(node, NULL);
      otp_mailbox_put(node, L, sub, OTP_PID_NONE);
    }
  }
  lua_settop(L, top);
  otp_charge_restore(node, cs);
}

void otp_trace_owner_exit(otp_node *node, otp_pid pid) {
  otp_trace_state *ts = node->trace;
  for (int i = 0; ts && i < ts->nsessions;) {
    otp_trace_session *s = ts->sessions[i];
    if (s->owner == pid) otp_trace_detach(node, s, "owner_exit");
    else i++;
  }
}

void otp_trace_close(otp_node *node) {
  free(node->trace);
  node->trace = NULL;
  node->trace_mask = 0;
}
