/*
** otp.analytics (API.md section 4): restart analytics for every supervisor,
** with no registration step.
**
** The node's otp_analytics (runtime/otp/analytics.h) lives in a userdata in
** the registry, made on first use and freed with the Lua state. The
** supervisor binding calls otp_analytics_sup_event for each supervisor trace
** event it emits (attached session or not); that is the only input.
** Its uservalue is a weak-valued table pid -> the supervisor machine's
** userdata, so that a live supervisor's current flags and children can be
** read when asked; a collected machine simply leaves the last flags seen.
**
** A pid that no supervisor event has named (not a supervisor, or a
** supervisor that has not started any child yet, or one dropped since it
** died) gives nil, "not_a_supervisor". A dead supervisor's data stays
** readable until more than OTP_ANALYTICS_KEEP_DEAD supervisors have died
** after it.
**
** Ids are kept as text: a string as it is, anything else as otp_format
** prints it, cut to OTP_ANALYTICS_ID_MAX bytes with "..." at the end. A
** restart's reason is kept as the value itself (so a scenario can match on
** it), in the state's second uservalue: sup pid -> {[restart number] =
** reason}, as many as the C ring keeps, dropped with their supervisor.
*/
#include <string.h>
#include "lua/lotp.h"
#include "lua/lsupervisor.h"
#include "core/carry.h"
#include "core/copy.h"
#include "core/env.h"
#include "core/format.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/term.h"
#include "otp/analytics.h"
#include "lua/lanalytics.h"
#include "trace/trace.h"

#define STATE_MT "otp.analytics.state"
static const char state_key = 0;   /* its address keys the state in the registry */

static int state_gc(lua_State *L) {
  otp_analytics *a = luaL_checkudata(L, 1, STATE_MT);
  otp_analytics_free(a);
  return 0;
}

/* The node's analytics, made if create (NULL if not made yet). */
static otp_analytics *state(lua_State *L, int create) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key) == LUA_TUSERDATA) {
    otp_analytics *a = lua_touserdata(L, -1);
    lua_pop(L, 1);
    return a;
  }
  lua_pop(L, 1);
  if (!create) return NULL;
  otp_analytics *a = lua_newuserdatauv(L, sizeof *a, 2);
  void *aud;
  lua_Alloc af = lua_getallocf(L, &aud);
  otp_analytics_init(a, af, aud, OTP_ANALYTICS_RING, OTP_ANALYTICS_KEEP_DEAD);
  if (luaL_newmetatable(L, STATE_MT)) {
    lua_pushcfunction(L, state_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_createtable(L, 0, 0);           /* pid -> machine userdata, weak values */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "v");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setiuservalue(L, -2, 1);
  lua_createtable(L, 0, 0);           /* sup pid -> {[restart number] = reason} */
  lua_setiuservalue(L, -2, 2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &state_key);
  return a;
}

/* Pushes the weak table pid -> machine userdata (the state exists). */
static void push_machines(lua_State *L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key);
  lua_getiuservalue(L, -1, 1);
  lua_remove(L, -2);
}

/* Pushes the reasons of sup's restarts ({[restart number] = reason}), made
** if create; nil if not. */
static void push_reasons(lua_State *L, otp_pid sup, int create) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key);
  lua_getiuservalue(L, -1, 2);
  lua_remove(L, -2);
  if (lua_rawgeti(L, -1, (lua_Integer)sup) == LUA_TNIL && create) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, (lua_Integer)sup);
  }
  lua_remove(L, -2);
}

/* The live machine of sup, or NULL. Leaves the stack as it was. */
static sup_ud *machine_of(lua_State *L, otp_pid sup) {
  push_machines(L);
  lua_rawgeti(L, -1, (lua_Integer)sup);
  sup_ud *u = luaL_testudata(L, -1, "otp.supervisor_core");
  lua_pop(L, 2);
  return u && (u->s || u->d) ? u : NULL;
}

static int is_alive(void *ud, otp_pid pid) {
  return otp_proc_get((otp_node *)ud, pid) != NULL;
}

/* Sweeps dead supervisors, and the reasons of those the sweep dropped. */
static void sweep(lua_State *L, otp_analytics *a) {
  otp_analytics_sweep(a, is_alive, otp_node_of(L));
  lua_rawgetp(L, LUA_REGISTRYINDEX, &state_key);
  lua_getiuservalue(L, -1, 2);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    if (!otp_analytics_find(a, (otp_pid)lua_tointeger(L, -1))) {
      lua_pushvalue(L, -1);
      lua_pushnil(L);
      lua_rawset(L, -4);          /* clearing a field during lua_next is allowed */
    }
  }
  lua_pop(L, 2);
}

static void refresh_flags(otp_sup_analytics *s, const sup_ud *u) {
  if (u->s) {
    const otp_sup_flags *f = otp_sup_get_flags(u->s);
    otp_analytics_set_flags(s, otp_strategy_name(f->strategy), f->intensity, f->period);
  } else if (u->d) {
    const otp_dynsup_flags *f = otp_dynsup_get_flags(u->d);
    otp_analytics_set_flags(s, "one_for_one", f->intensity, f->period);
  }
}

/* The text of the value on top (popped) into dst. */
static void take_text(lua_State *L, char *dst, size_t cap) {
  size_t len;
  const char *str;
  if (lua_type(L, -1) == LUA_TSTRING) {
    str = lua_tolstring(L, -1, &len);
    otp_analytics_copy_text(dst, cap, str, len);
  } else {
    otp_format(L, -1, 1);
    str = lua_tolstring(L, -1, &len);
    otp_analytics_copy_text(dst, cap, str ? str : "", str ? len : 0);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

static void push_op_value(lua_State *L, const otp_sup_op *op) {
  switch (op->value) {
    case OTP_SUP_VALUE_EXIT: lsup_push_record_field(L, op->key, "exit"); break;
    case OTP_SUP_VALUE_START: lsup_push_record_field(L, op->key, "start"); break;
    case OTP_SUP_VALUE_TERM: lsup_push_record_field(L, op->key, "term"); break;
    case OTP_SUP_VALUE_TEXT: lua_pushstring(L, op->text); break;
    default: lua_pushnil(L); break;
  }
}

/* The record of u's supervisor, made (and its machine remembered, weakly)
** the first time; the flags refreshed. NULL when out of memory. */
static otp_sup_analytics *know(lua_State *L, otp_analytics *a, sup_ud *u) {
  int created;
  otp_sup_analytics *s = otp_analytics_get(a, u->self, &created);
  if (!s) return NULL;
  if (created) {
    s->dynamic = u->dynamic;
    if (lua_touserdata(L, 1) == (void *)u) {  /* the machine is the binding's argument 1 */
      push_machines(L);
      lua_pushvalue(L, 1);
      lua_rawseti(L, -2, (lua_Integer)u->self);
      lua_pop(L, 1);
    }
    if (otp_analytics_sweep_due(a)) sweep(L, a);
  }
  refresh_flags(s, u);
  return s;
}

void otp_analytics_sup_known(lua_State *L, struct sup_ud *u) {
  know(L, state(L, 1), u);
}

void otp_analytics_sup_event(lua_State *L, struct sup_ud *u, const struct otp_sup_op *op) {
  otp_trace_kind kind = (otp_trace_kind)op->code;
  int gave_up = kind == OTP_EV_SUP_SHUTDOWN && op->value == OTP_SUP_VALUE_TEXT && op->text &&
                strcmp(op->text, "reached_max_restart_intensity") == 0;
  if (kind != OTP_EV_SUP_START_CHILD && kind != OTP_EV_SUP_RESTART && !gave_up) return;
  int top = lua_gettop(L);
  otp_analytics *a = state(L, 1);
  otp_sup_analytics *s = know(L, a, u);
  if (!s) return;                             /* out of memory: analytics are best effort */
  uint64_t now_ns = otp_clock_now(otp_node_of(L));
  int64_t now_s = (int64_t)(now_ns / 1000000000u);
  if (kind == OTP_EV_SUP_RESTART) {
    otp_restart_rec r;
    r.t_ms = (int64_t)(now_ns / 1000000u);
    r.old_pid = op->old_pid;
    r.new_pid = op->pid;
    r.strategy = s->strategy;
    lsup_push_record_field(L, op->key, "id");
    r.has_id = !lua_isnil(L, -1);
    if (r.has_id) take_text(L, r.id, sizeof r.id);
    else {
      r.id[0] = '\0';
      lua_pop(L, 1);
    }
    push_op_value(L, op);
    int reason = lua_gettop(L);
    lua_pushvalue(L, reason);
    take_text(L, r.reason, sizeof r.reason);
    if (otp_analytics_restart(a, s, &r, now_s) == 0) {
      push_reasons(L, u->self, 1);
      lua_pushvalue(L, reason);
      lua_rawseti(L, -2, (lua_Integer)s->total);
      lua_pushnil(L);             /* the one the ring just dropped, if any */
      lua_rawseti(L, -2, (lua_Integer)s->total - a->ring_max);
    }
  } else if (gave_up) {
    otp_analytics_gave_up(s, now_s);
  }
  lua_settop(L, top);
}

/* ---- otp.analytics ---- */

/* The record of the supervisor at idx (a pid or a registered name), or NULL
** with nil, "not_a_supervisor" pushed. */
static otp_sup_analytics *check_sup(lua_State *L, int idx, const char *fname) {
  otp_pid pid = otp_to_pid(L, idx);
  if (!pid) {
    if (lua_type(L, idx) != LUA_TSTRING)
      otp_raise(L, "badarg: %s needs a supervisor's pid or registered name, got %s", fname,
                luaL_typename(L, idx));
    otp_proc *p = otp_registry_find(otp_node_of(L), L, idx);
    if (p) pid = p->pid;
  }
  /* a supervisor in a sandbox is known to its own state's analytics */
  otp_proc *p = pid ? otp_proc_lookup(otp_node_of(L), pid) : NULL;
  lua_State *S = p && p->vm != otp_vm_of(L) ? p->vm->L : L;
  otp_analytics *a = state(S, 0);
  otp_sup_analytics *s = a && pid ? otp_analytics_find(a, pid) : NULL;
  if (!s) {
    lua_pushnil(L);
    lua_pushliteral(L, "not_a_supervisor");
  } else {
    sup_ud *u = machine_of(S, pid);
    if (u) refresh_flags(s, u);
  }
  return s;
}

static void push_pid_or_nil(lua_State *L, otp_pid pid) {
  if (pid) otp_push_pid(L, pid);
  else lua_pushnil(L);
}

/* restart_history(sup): {t_ms=, id=, old_pid=, new_pid=, reason=, strategy=}, oldest first. */
static int l_restart_history(lua_State *L) {
  otp_sup_analytics *s = check_sup(L, 1, "otp.analytics.restart_history");
  if (!s) return 2;
  int n = otp_analytics_count(s);
  otp_proc *sp = otp_proc_lookup(otp_node_of(L), s->sup);
  lua_State *S = sp && sp->vm != otp_vm_of(L) ? sp->vm->L : L;   /* a sandbox's supervisor */
  push_reasons(S, s->sup, 0);
  int reasons = lua_gettop(S);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    const otp_restart_rec *r = otp_analytics_at(s, i);
    lua_Integer number = (lua_Integer)(s->total - (uint64_t)n + 1 + (uint64_t)i);
    lua_createtable(L, 0, 6);
    lua_pushinteger(L, (lua_Integer)r->t_ms);
    lua_setfield(L, -2, "t_ms");
    if (r->has_id) {
      lua_pushstring(L, r->id);
      lua_setfield(L, -2, "id");
    }
    push_pid_or_nil(L, r->old_pid);
    lua_setfield(L, -2, "old_pid");
    push_pid_or_nil(L, r->new_pid);
    lua_setfield(L, -2, "new_pid");
    if (lua_istable(S, reasons) && lua_rawgeti(S, reasons, number) != LUA_TNIL) {
      if (S == L) otp_copy(L, -1, OTP_COPY_LENIENT, "reason", 0);   /* the caller's own */
      else lua_pushvalue(S, -1);
      lua_remove(S, -2);
      otp_carry_top(S, L, "<lost>");
    } else {
      if (lua_istable(S, reasons)) lua_pop(S, 1);
      lua_pushstring(L, r->reason);  /* kept as text only (out of memory) */
    }
    lua_setfield(L, -2, "reason");
    lua_pushstring(L, r->strategy);
    lua_setfield(L, -2, "strategy");
    lua_rawseti(L, -2, i + 1);
  }
  if (S != L) lua_settop(S, reasons - 1);
  else lua_remove(L, reasons);
  return 1;
}

static int64_t now_ms(lua_State *L) {
  return (int64_t)(otp_clock_now(otp_node_of(L)) / 1000000u);
}

/* failure_rate(sup, window_s): restarts per second over the last window_s s. */
static int l_failure_rate(lua_State *L) {
  if (lua_type(L, 2) != LUA_TNUMBER || !(lua_tonumber(L, 2) > 0))
    return otp_raise(L, "badarg: otp.analytics.failure_rate needs a window in seconds > 0, "
                     "got %s", luaL_typename(L, 2));
  otp_sup_analytics *s = check_sup(L, 1, "otp.analytics.failure_rate");
  if (!s) return 2;
  double window_ms = lua_tonumber(L, 2) * 1000.0;
  if (window_ms < 1) window_ms = 1;
  if (window_ms > 9e15) window_ms = 9e15;
  lua_pushnumber(L, otp_analytics_failure_rate(s, now_ms(L), (int64_t)window_ms));
  return 1;
}

static void push_budget(lua_State *L, const otp_sup_analytics *s) {
  lua_createtable(L, 0, 3);
  lua_pushinteger(L, otp_analytics_used(s, (int64_t)(otp_clock_now(otp_node_of(L)) / 1000000000u)));
  lua_setfield(L, -2, "used");
  lua_pushinteger(L, s->intensity);
  lua_setfield(L, -2, "intensity");
  lua_pushinteger(L, s->period);
  lua_setfield(L, -2, "period");
}

/* restart_budget(sup): {used=, intensity=, period=}. */
static int l_restart_budget(lua_State *L) {
  otp_sup_analytics *s = check_sup(L, 1, "otp.analytics.restart_budget");
  if (!s) return 2;
  push_budget(L, s);
  return 1;
}

/* stats(): one entry per supervisor known, in pid order:
** {sup=, alive=, dynamic=, strategy=, restarts=, failure_rate= (over its
** period), budget=, children= (child records now; 0 once dead)}. */
static int l_stats(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_analytics *a = state(L, 0);
  if (!a) {
    lua_newtable(L);
    return 1;
  }
  sweep(L, a);
  lua_createtable(L, a->n, 0);
  int64_t now = now_ms(L);
  for (int i = 0; i < a->n; i++) {
    otp_sup_analytics *s = a->sups[i];
    sup_ud *u = s->dead ? NULL : machine_of(L, s->sup);
    if (u) refresh_flags(s, u);
    lua_createtable(L, 0, 8);
    otp_push_pid(L, s->sup);
    lua_setfield(L, -2, "sup");
    lua_pushboolean(L, !s->dead);
    lua_setfield(L, -2, "alive");
    lua_pushboolean(L, s->dynamic);
    lua_setfield(L, -2, "dynamic");
    lua_pushstring(L, s->strategy);
    lua_setfield(L, -2, "strategy");
    lua_pushinteger(L, (lua_Integer)s->total);
    lua_setfield(L, -2, "restarts");
    int64_t period_ms = (int64_t)(s->period > 0 ? s->period : 1) * 1000;
    lua_pushnumber(L, otp_analytics_failure_rate(s, now, period_ms));
    lua_setfield(L, -2, "failure_rate");
    push_budget(L, s);
    lua_setfield(L, -2, "budget");
    int children = 0;
    if (u && u->s) children = otp_sup_count_children(u->s, is_alive, node).specs;
    else if (u && u->d) children = otp_dynsup_count_children(u->d).specs;
    lua_pushinteger(L, children);
    lua_setfield(L, -2, "children");
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

void otp_analytics_register(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"restart_history", l_restart_history}, {"failure_rate", l_failure_rate},
    {"restart_budget", l_restart_budget}, {"stats", l_stats}, {NULL, NULL}
  };
  luaL_newlib(L, funcs);
  otp_env_readonly(L, -1);
  lua_setfield(L, -3, "analytics");
  lua_pop(L, 1);
}
