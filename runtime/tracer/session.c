/*
** Trace sessions: the recorder behind the trace point (trace/trace.h).
** An event is recorded only when some active session wants its kind: as a C
** record in each such session's ring (the oldest is dropped when the ring is
** full), with its Lua values (a capped copy of the message, reason, child id
** or name) stored beside it; its table is built when it is read, or sent to
** a subscriber if the session has one. The first session attaches these
** operations to the node's trace point. No user code runs here: the point is
** reached from inside the scheduler and from C code in mid-operation, so Lua
** filters run later, in processes (see ltrace.c). What runs here is bounded: payloads
** are copied up to a size cap (payload.c), a session past its rate stops
** itself, and a subscriber with a full mailbox has the event dropped.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "trace/trace.h"
#include "tracer/session.h"
#include "core/copy.h"
#include "core/carry.h"
#include "core/registry.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/signal.h"
#include "core/term.h"

/* The name of the `other` pid field for each kind. */
static const char *const other_names[OTP_EV__COUNT] = {
  "parent", NULL, "peer", "peer", "target", "target", "from", "to", "to", "from",
  NULL, NULL, NULL, NULL, NULL, "child", "child", "child", NULL, NULL, NULL, NULL,
  NULL, "to", "to", NULL, NULL, "by"
};

static const otp_trace_ops session_ops;

static otp_trace_state *state(otp_node *node) {
  if (!node->trace) {
    node->trace = calloc(1, sizeof *node->trace);
    if (node->trace) node->trace_ops = &session_ops;
  }
  return node->trace;
}

static void recompute_mask(otp_node *node) {
  uint32_t mask = 0;
  otp_trace_state *ts = node->trace;
  for (int i = 0; ts && i < ts->nsessions; i++) mask |= ts->sessions[i]->kinds;
  node->trace_mask = mask;
}

uint64_t otp_trace_new_id(otp_node *node) {
  otp_trace_state *ts = state(node);
  return ts ? ++ts->next_id : 0;
}

otp_trace_session *otp_trace_find(otp_node *node, uint64_t id) {
  otp_trace_state *ts = node->trace;
  for (int i = 0; ts && i < ts->nsessions; i++)
    if (ts->sessions[i]->id == id) return ts->sessions[i];
  return NULL;
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
  otp_proc *relay = s->relay ? otp_proc_get(node, s->relay) : NULL;
  if (relay) {   /* the filtering relay ends with its session */
    otp_charge_state cs = otp_charge_receiver(node, relay);
    lua_pushliteral(node->L, "trace_session_ended");
    otp_mailbox_put(node, node->L, relay, OTP_PID_NONE);
    otp_charge_restore(node, cs);
  }
}

static int wants_pid(otp_node *node, lua_State *L, otp_trace_session *s, otp_pid pid) {
  if (s->sandbox_id) {
    const otp_proc *p = otp_proc_lookup(node, pid);
    if (!p || p->vm->sandbox_id != s->sandbox_id) return 0;
  }
  if (s->pids_mode == 0) return 1;
  if (s->pids_mode == 1) return otp_pid_serial(pid) >= s->first_new_serial;
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->pids_ref);
  lua_rawgeti(L, -1, (lua_Integer)pid);
  int yes = lua_toboolean(L, -1);
  lua_pop(L, 2);
  return yes;
}

/* A session tracing listed (or new) pids sees their traffic in both
** directions: a send from anyone TO one of them counts too, so a diagram of
** one traced server shows the requests as well as its replies. Not for the
** session's own subscriber or relay, whose events it never traces. */
static int wants_event_pid(otp_node *node, lua_State *L, otp_trace_session *s,
                           otp_trace_kind kind, const otp_trace_info *info) {
  if (wants_pid(node, L, s, info->pid)) return 1;
  if ((kind != OTP_EV_SEND && kind != OTP_EV_SEND_TO_DEAD) || !info->other) return 0;
  if (s->pids_mode == 0 || s->sandbox_id) return 0;
  if ((s->to && info->other == s->to) || (s->relay && info->other == s->relay)) return 0;
  return wants_pid(node, L, s, info->other);
}

/* Pushes the label of p, a string (or a capped copy of whatever it is). */
static void push_label(lua_State *L, otp_proc *p) {
  otp_proc_push_value(L, p, p->label_ref);
  if (!lua_isstring(L, -1)) {
    otp_trace_copy_capped(L, -1, 256);
    lua_remove(L, -2);
  }
}

/* Remembers in s the name and label pid has now, so its events still show
** them once the process is gone (event tables are built when read). */
static void remember_names(otp_node *node, lua_State *L, otp_trace_session *s, otp_pid pid) {
  otp_proc *p = pid ? otp_proc_lookup(node, pid) : NULL;
  if (!p || (p->name_ref == LUA_NOREF && p->label_ref == LUA_NOREF)) return;
  if (s->names_ref == LUA_NOREF) {
    lua_newtable(L);
    s->names_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->names_ref);
  otp_registry_push_name(L, p);
  lua_rawseti(L, -2, (lua_Integer)pid);
  if (p->label_ref != LUA_NOREF) push_label(L, p);
  else lua_pushnil(L);
  lua_rawseti(L, -2, -(lua_Integer)pid);
  lua_pop(L, 1);
}

/* Sets field to the pid, and field_name / field_label to the name and label
** its process had at its latest event (names at stack index, or 0: now). */
static void set_pid(otp_node *node, lua_State *L, int names, const char *field, otp_pid pid) {
  otp_push_pid(L, pid);
  lua_setfield(L, -2, field);
  char buf[32];
  otp_proc *p = names ? NULL : otp_proc_lookup(node, pid);
  for (int label = 0; label < 2; label++) {
    if (names) lua_rawgeti(L, names, label ? -(lua_Integer)pid : (lua_Integer)pid);
    else if (p && !label && p->name_ref != LUA_NOREF) otp_registry_push_name(L, p);
    else if (p && label && p->label_ref != LUA_NOREF) push_label(L, p);
    else continue;
    snprintf(buf, sizeof buf, label ? "%s_label" : "%s_name", field);
    lua_setfield(L, -2, buf);     /* a nil leaves the field out */
  }
}

enum { V_MSG = 1, V_REASON = 2, V_ID = 4, V_NAME = 8 };
static const char *const value_names[] = {"msg", "reason", "id", "name"};

/* Pushes the event's Lua values as one value: the message alone (the
** common case), or a table {msg=, reason=, id=, name=}, or nil. Capped
** copies; returns 1 if one was truncated. Sets r->values. */
static int push_values(lua_State *L, const otp_trace_info *info, otp_trace_rec *r,
                       size_t cap) {
  const int idx[] = {info->msg, info->reason, info->id, info->name};
  int n = 0, cut = 0;
  r->values = 0;
  for (int k = 0; k < 4; k++)
    if (idx[k]) r->values |= (uint8_t)(1 << k), n++;
  if (r->values == V_MSG) return otp_trace_copy_capped(L, info->msg, cap);
  lua_createtable(L, 0, n);
  for (int k = 0; k < 4; k++) {
    if (!idx[k]) continue;
    if (k == 3) lua_pushvalue(L, idx[k]);   /* a registered name: a string */
    else cut |= otp_trace_copy_capped(L, idx[k], cap);
    lua_setfield(L, -2, value_names[k]);
  }
  return cut;
}

/* Builds the table of record r whose values are at vals (see push_values).
** Names and labels are those the processes have now. */
static void build_event(otp_node *node, lua_State *L, const otp_trace_rec *r,
                        const otp_trace_extra *x, int vals, int names) {
  static const otp_trace_extra none;
  if (!r->extra) x = &none;
  vals = lua_absindex(L, vals);
  if (names) names = lua_absindex(L, names);
  lua_createtable(L, 0, 8);
  lua_pushinteger(L, (lua_Integer)r->seq);
  lua_setfield(L, -2, "seq");
  lua_pushinteger(L, (lua_Integer)r->t_us);
  lua_setfield(L, -2, "t_us");
  lua_pushstring(L, otp_trace_kind_name((otp_trace_kind)r->kind));
  lua_setfield(L, -2, "kind");
  if (r->pid) set_pid(node, L, names, "pid", r->pid);
  if (r->other && other_names[r->kind]) set_pid(node, L, names, other_names[r->kind], r->other);
  if (x->ref) {
    otp_push_ref(L, x->ref);
    lua_setfield(L, -2, "ref");
  }
  if (r->values == V_MSG) {
    if (r->flat_n) otp_trace_flat_push(L, r);
    else lua_pushvalue(L, vals);
    lua_setfield(L, -2, "msg");
  } else if (r->values) {
    for (int k = 0; k < 4; k++) {
      if (!(r->values & (1 << k))) continue;
      lua_getfield(L, vals, value_names[k]);
      lua_setfield(L, -2, value_names[k]);
    }
  }
  if (x->text) {
    lua_pushstring(L, x->text);
    lua_setfield(L, -2, "limit");
  }
  if (x->strategy) {
    lua_pushstring(L, x->strategy);
    lua_setfield(L, -2, "strategy");
  }
  if (x->old_pid) set_pid(node, L, names, "old_pid", x->old_pid);
  if (x->new_pid) set_pid(node, L, names, "new_pid", x->new_pid);
  if (r->truncated) {
    lua_pushboolean(L, 1);
    lua_setfield(L, -2, "truncated");
  }
}

/* Room for the record at ring position head; 0 if there is none. The
** records are the node's memory (the allocator counts them, charged to no
** process: the caller has set the charge to the node). */
static int room(lua_State *L, otp_trace_session *s) {
  size_t need = s->head < s->max_events ? s->head + 1 : s->max_events;
  if (need <= s->recs_cap) return 1;
  size_t cap = s->recs_cap ? s->recs_cap * 2 : 64;
  if (cap > s->max_events) cap = s->max_events;
  void *ud;
  lua_Alloc alloc = lua_getallocf(L, &ud);
  otp_trace_rec *r = alloc(ud, s->recs, s->recs_cap * sizeof *r, cap * sizeof *r);
  if (!r) return 0;
  s->recs = r;
  s->recs_cap = cap;
  return 1;
}

/* Room in s->extras for every record slot there is. */
static int extras_room(lua_State *L, otp_trace_session *s) {
  if (s->extras_cap >= s->recs_cap) return 1;
  void *ud;
  lua_Alloc alloc = lua_getallocf(L, &ud);
  otp_trace_extra *x = alloc(ud, s->extras, s->extras_cap * sizeof *x, s->recs_cap * sizeof *x);
  if (!x) return 0;
  s->extras = x;
  s->extras_cap = s->recs_cap;
  return 1;
}

static void store(lua_State *L, otp_trace_session *s, const otp_trace_rec *r,
                  const otp_trace_extra *x, int vals) {
  if (!room(L, s) || (r->extra && !extras_room(L, s))) {
    s->dropped++;
    return;
  }
  size_t slot = s->head_slot;
  /* the ring table is written only when the slot's old or new record has
  ** a Lua value there (a flat or value-less record has none) */
  int had = s->head >= s->max_events && s->recs[slot].in_ring;
  int has = !lua_isnil(L, vals);
  s->recs[slot] = *r;
  s->recs[slot].in_ring = (uint8_t)has;
  if (r->extra) s->extras[slot] = *x;
  if (had || has) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, s->ring_ref);
    lua_pushvalue(L, vals);   /* nil when the event has no values */
    lua_rawseti(L, -2, (lua_Integer)slot + 1);
    lua_pop(L, 1);
  }
  s->head++;
  if (++s->head_slot == s->max_events) s->head_slot = 0;
  s->recorded++;
  if (s->count < s->max_events) s->count++;
  else s->dropped++;
}

void otp_trace_push_event(lua_State *L, otp_trace_session *s, size_t i) {
  size_t slot = i % s->max_events;
  int top = lua_gettop(L);
  if (s->names_ref != LUA_NOREF) lua_rawgeti(L, LUA_REGISTRYINDEX, s->names_ref);
  else lua_newtable(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->ring_ref);
  lua_rawgeti(L, -1, (lua_Integer)slot + 1);
  build_event(otp_node_of(L), L, &s->recs[slot], s->extras ? &s->extras[slot] : NULL, -1,
              top + 1);
  lua_replace(L, top + 1);
  lua_settop(L, top + 1);
}

void otp_trace_free_records(lua_State *L, otp_trace_session *s) {
  void *ud;
  lua_Alloc alloc = lua_getallocf(L, &ud);
  if (s->recs) alloc(ud, s->recs, s->recs_cap * sizeof *s->recs, 0);
  if (s->extras) alloc(ud, s->extras, s->extras_cap * sizeof *s->extras, 0);
  s->recs = NULL;
  s->extras = NULL;
  s->recs_cap = s->extras_cap = 0;
}

int otp_trace_deliver(otp_node *node, lua_State *L, otp_trace_session *s, otp_pid to,
                      int ev) {
  otp_proc *sub = to ? otp_proc_get(node, to) : NULL;
  if (!sub) return 0;
  if (sub->mq_len >= s->max_queue) {   /* it fell behind: never queue more */
    s->dropped_to_subscriber++;
    return 0;
  }
  ev = lua_absindex(L, ev);
  otp_charge_state cs = otp_charge_receiver(node, sub);
  lua_createtable(L, 2, 0);
  lua_pushliteral(L, "trace");
  lua_rawseti(L, -2, 1);
  otp_copy(L, ev, OTP_COPY_LENIENT, "event", 0);
  lua_rawseti(L, -2, 2);
  otp_mailbox_put(node, L, sub, OTP_PID_NONE);
  otp_charge_restore(node, cs);
  return 1;
}

/* Counts the event against s's rate; 0 if that takes s past it. */
static int within_rate(otp_trace_session *s, uint64_t now) {
  if (!s->rate) return 1;
  uint64_t window = now / 1000000000u;
  if (window != s->rate_window) {
    s->rate_window = window;
    s->rate_count = 0;
  }
  return ++s->rate_count <= s->rate;
}

/* A message between its send and its receive cannot change (it sits in a
** mailbox), so the receive event reuses the copy the send event made.
** With copy: remembers copy for the message at msg (a table). Without:
** pushes the remembered copy and forgets it; 0 if there is none. */
static int in_flight(otp_node *node, lua_State *L, int msg, int copy) {
  otp_trace_state *ts = node->trace;
  if (lua_type(L, msg) != LUA_TTABLE) return 0;
  msg = lua_absindex(L, msg);
  if (ts->in_flight_ref == 0) {
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    ts->in_flight_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, ts->in_flight_ref);
  lua_pushvalue(L, msg);
  if (copy) {
    lua_pushvalue(L, copy);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    return 1;
  }
  if (lua_rawget(L, -2) == LUA_TNIL) {
    lua_pop(L, 2);
    return 0;
  }
  lua_pushvalue(L, msg);
  lua_pushnil(L);
  lua_rawset(L, -4);
  lua_remove(L, -2);
  return 1;
}

/* The receive of a message a send event kept flat: its bytes, and the
** entry is free again. 0 if it is not remembered. */
static int sent_flat(otp_trace_state *ts, lua_State *L, const otp_trace_info *info,
                     otp_trace_rec *r) {
  const void *msg = lua_topointer(L, info->msg);
  for (unsigned i = 1; i <= OTP_TRACE_SENT; i++) {   /* the newest first */
    struct otp_trace_sent *e = &ts->sent[(ts->next_sent - i) % OTP_TRACE_SENT];
    if (e->msg != msg || e->to != info->pid) continue;
    memcpy(r->flat, e->flat, sizeof r->flat);
    r->flat_n = e->n;
    e->msg = NULL;
    return 1;
  }
  return 0;
}

/* Remembers the flat message of send record r for its receive; the entry
** it takes, if still waiting for its receive, goes to in_flight. */
static void remember_sent(otp_node *node, lua_State *L, const otp_trace_info *info,
                          const otp_trace_rec *r) {
  otp_trace_state *ts = node->trace;
  struct otp_trace_sent *e = &ts->sent[ts->next_sent++ % OTP_TRACE_SENT];
  if (!e->ref) {
    lua_pushboolean(L, 0);
    e->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  } else if (e->msg) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, e->ref);
    otp_trace_rec old = {.flat_n = e->n};
    memcpy(old.flat, e->flat, sizeof old.flat);
    otp_trace_flat_push(L, &old);
    in_flight(node, L, -2, lua_gettop(L));
    lua_pop(L, 2);
  }
  lua_pushvalue(L, info->msg);            /* alive while remembered */
  lua_rawseti(L, LUA_REGISTRYINDEX, e->ref);
  e->msg = lua_topointer(L, info->msg);
  e->to = info->other;
  e->n = r->flat_n;
  memcpy(e->flat, r->flat, sizeof e->flat);
}

/* The event's message (info->msg) as its record keeps it: the bytes or
** the copy its send event made (for a receive), else kept flat if it is,
** else a capped copy pushed (push_values). Pushes the record's Lua value
** (nil when there is none) and sets r->values and r->truncated. */
static void keep_message(otp_node *node, lua_State *L, otp_trace_kind kind,
                         const otp_trace_info *info, size_t cap, otp_trace_rec *r) {
  r->values = V_MSG;
  if (kind == OTP_EV_RECEIVE) {
    if (sent_flat(node->trace, L, info, r)) {
      lua_pushnil(L);
      return;
    }
    if (node->trace->in_flight_ref && in_flight(node, L, info->msg, 0)) return;
  }
  if (otp_trace_flat_capture(L, info->msg, cap, r)) {
    if (kind == OTP_EV_SEND) remember_sent(node, L, info, r);
    lua_pushnil(L);                       /* kept in the record: no Lua value */
    return;
  }
  r->truncated = (uint8_t)push_values(L, info, r, cap);
  if (kind == OTP_EV_SEND && !r->truncated) in_flight(node, L, info->msg, lua_gettop(L));
}

/* An event of a sandbox's process: sessions keep their values in the main
** state, so what it carries is capped where it is and copied over. */
static const otp_trace_info *from_sandbox(otp_node *node, const otp_trace_info *info,
                                          otp_trace_info *copy) {
  size_t cap = 0;
  for (int i = 0; i < node->trace->nsessions; i++)
    if (node->trace->sessions[i]->max_payload > cap) cap = node->trace->sessions[i]->max_payload;
  *copy = *info;
  copy->L = node->L;
  int *fields[] = {&copy->msg, &copy->reason, &copy->name, &copy->id};
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
    if (!*fields[i]) continue;
    otp_trace_copy_capped(info->L, *fields[i], cap);
    otp_carry_top(info->L, node->L, "<lost>");
    *fields[i] = lua_gettop(node->L);
  }
  return copy;
}

static void session_emit(otp_node *node, otp_trace_kind kind, const otp_trace_info *info) {
  otp_trace_state *ts = node->trace;
  if (!ts || ts->nsessions == 0) return;
  otp_charge_state cs = otp_charge_receiver(node, NULL);   /* tracing is the node's cost */
  int main_top = lua_gettop(node->L);
  otp_trace_info translated;
  if (info->L && otp_vm_of(info->L) != &node->main) info = from_sandbox(node, info, &translated);
  lua_State *L = info->L ? info->L : node->L;
  int top = lua_gettop(L);
  uint64_t now = otp_now_ns();
  otp_trace_session *want[OTP_TRACE_MAX_SESSIONS];
  int nwant = 0;
  size_t cap = 0;
  for (int i = 0; i < ts->nsessions;) {
    otp_trace_session *s = ts->sessions[i];
    if (!((s->kinds >> kind) & 1u) || !wants_event_pid(node, L, s, kind, info) ||
        /* never trace the subscriber's (or its relay's) own traffic */
        (s->to && info->pid == s->to) || (s->relay && info->pid == s->relay)) {
      i++;
      continue;
    }
    if (!within_rate(s, now)) {
      otp_trace_detach(node, s, "rate");   /* moves the last session to i */
      continue;
    }
    want[nwant++] = s;
    if (s->max_payload > cap) cap = s->max_payload;
    i++;
  }
  if (nwant) {
    /* under virtual time an event's time is the virtual clock's */
    uint64_t t_ns = node->cfg.virtual_time ? node->vclock_ns : now - node->started_ns;
    otp_trace_rec r = {.seq = ++ts->seq, .t_us = t_ns / 1000,
                       .pid = info->pid, .other = info->other, .kind = (uint8_t)kind};
    otp_trace_extra x = {.ref = info->ref, .old_pid = info->old_pid, .new_pid = info->new_pid,
                         .text = info->text, .strategy = info->strategy};
    r.extra = x.ref || x.old_pid || x.new_pid || x.text || x.strategy;
    if (info->msg && !info->reason && !info->id && !info->name) {
      keep_message(node, L, kind, info, cap, &r);
    } else if (info->msg || info->reason || info->id || info->name) {
      r.truncated = (uint8_t)push_values(L, info, &r, cap);
    } else {
      lua_pushnil(L);
      r.values = 0;
    }
    int vals = lua_gettop(L), ev = 0;
    for (int i = 0; i < nwant; i++) {
      otp_trace_session *s = want[i];
      store(L, s, &r, &x, vals);
      remember_names(node, L, s, r.pid);
      remember_names(node, L, s, r.other);
      if (r.extra) {
        remember_names(node, L, s, x.old_pid);
        remember_names(node, L, s, x.new_pid);
      }
      s->truncated += r.truncated;
      otp_pid to = s->relay ? s->relay : s->to;
      if (!to) continue;
      if (!ev) {                          /* a subscriber: the table, once */
        build_event(node, L, &r, &x, vals, 0);
        ev = lua_gettop(L);
      }
      otp_trace_deliver(node, L, s, to, ev);
    }
  }
  lua_settop(L, top);
  if (lua_gettop(node->L) != main_top) lua_settop(node->L, main_top);   /* a sandbox's event */
  otp_charge_restore(node, cs);
}

static void session_owner_exit(otp_node *node, otp_pid pid) {
  otp_trace_state *ts = node->trace;
  for (int i = 0; ts && i < ts->nsessions;) {
    otp_trace_session *s = ts->sessions[i];
    if (s->owner == pid) otp_trace_detach(node, s, "owner_exit");
    else i++;
  }
}

static void session_close(otp_node *node) {
  if (node->trace && node->trace->in_flight_ref)
    luaL_unref(node->L, LUA_REGISTRYINDEX, node->trace->in_flight_ref);
  for (int i = 0; node->trace && i < OTP_TRACE_SENT; i++)
    if (node->trace->sent[i].ref)
      luaL_unref(node->L, LUA_REGISTRYINDEX, node->trace->sent[i].ref);
  free(node->trace);
  node->trace = NULL;
  node->trace_mask = 0;
  node->trace_ops = NULL;
}

static const otp_trace_ops session_ops = {session_emit, session_owner_exit, session_close};
