/*
** otp.supervisor_core, the API calls: the machine methods that serve
** supervisor.start_child, terminate_child, restart_child, delete_child,
** which_children, count_children, get_childspec, set_strategy, sys's
** get_state and unexpected messages, answering as OTP's supervisor does.
*/
#include <string.h>
#include "lua/lsupervisor.h"
#include "otp/analytics.h"
#include "lua/lanalytics.h"
#include "core/copy.h"
#include "core/env.h"
#include "core/format.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/signal.h"
#include "core/term.h"
#include "core/carry.h"
#include "trace/trace.h"


/* start_child(spec) -> true (a reply will come) | false, error term */
static int l_start_child(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  lua_settop(L, 2);
  otp_raw_spec raw;
  int base = lsup_read_spec(L, 2, &raw);
  otp_child_spec c = {0};
  otp_spec_err err = u->s ? otp_spec_check(&raw, otp_sup_get_flags(u->s)->auto_shutdown, &c)
                          : otp_spec_check_dynamic(&raw, &c);
  if (err != OTP_SPEC_OK) {
    lua_pushboolean(L, 0);
    lsup_push_spec_error(L, err, 2, base);
    lsup_log_spec_error(L, u, "start_child", otp_spec_hint(err), lsup_error_value(err, 2, base));
    return 2;
  }
  int r;
  if (u->s) {
    uint64_t existing = lsup_key_of_id(L, base + F_ID);
    if (!existing) c.key = lsup_store_child(L, u, &c, base, 1);
    r = otp_sup_call_start_child(u->s, &c, existing);
  } else {
    c.key = lsup_store_child(L, u, &c, base, 0);
    r = otp_dynsup_call_start_child(u->d, &c);
  }
  if (r < 0) return luaL_error(L, "not enough memory");
  lua_pushboolean(L, 1);
  return 1;
}

static int l_terminate_child(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  if (u->s) otp_sup_call_terminate_child(u->s, lsup_key_of_id(L, 2));
  else otp_dynsup_call_terminate_child(u->d, otp_to_pid(L, 2));
  return 0;
}

static int l_restart_child(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  if (u->s) otp_sup_call_restart_child(u->s, lsup_key_of_id(L, 2));
  return 0;
}

static int l_delete_child(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  if (u->s) otp_sup_call_delete_child(u->s, lsup_key_of_id(L, 2));
  return 0;
}

/* A spec without modules whose start is a function: a live child that a
** behaviour runs names its module (initial_call "counter:init/1"), so the
** empty list on top becomes {"counter"}. */
static void name_behaviour_module(lua_State *L, otp_pid pid) {
  if (!pid || !lua_istable(L, -1) || lua_rawlen(L, -1) > 0) return;
  otp_proc *p = otp_proc_get(otp_node_of(L), pid);
  if (!p || p->initial_call_ref == LUA_NOREF) return;
  otp_proc_push_value(L, p, p->initial_call_ref);
  size_t len;
  const char *call = lua_tolstring(L, -1, &len);
  const char *colon = call ? strrchr(call, ':') : NULL;
  if (colon && strcmp(colon, ":init/1") == 0) {
    lua_createtable(L, 1, 0);
    lua_pushlstring(L, call, (size_t)(colon - call));
    lua_rawseti(L, -2, 1);
    lua_replace(L, -3);
  }
  lua_pop(L, 1);
}

/* Pushes {id=, pid=, type=, modules=} for a child. */
static void push_child_info(lua_State *L, uint64_t key, otp_pid pid, const char *status,
                            otp_child_type type) {
  lua_createtable(L, 0, 4);
  lsup_push_record_field(L, key, "id");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushliteral(L, "undefined");
  }
  lua_setfield(L, -2, "id");
  if (status) lua_pushstring(L, status);
  else otp_push_pid(L, pid);
  lua_setfield(L, -2, "pid");
  lua_pushstring(L, otp_child_type_name(type));
  lua_setfield(L, -2, "type");
  lsup_push_record_field(L, key, "spec");
  lua_getfield(L, -1, "modules");
  lua_remove(L, -2);
  if (!status) name_behaviour_module(L, pid);
  lua_setfield(L, -2, "modules");
}

/* Pushes the which_children list: newest first (static), oldest first
** (dynamic). The machine is at index 1. */
static void push_children(lua_State *L, sup_ud *u) {
  lua_newtable(L);
  int list = lua_gettop(L);
  lua_Integer k = 0;
  if (u->s) {
    for (int i = otp_sup_count(u->s) - 1; i >= 0; i--) {
      const otp_sup_child *c = otp_sup_child_at(u->s, i);
      if (c->removed) continue;
      const char *st = c->status == OTP_CHILD_RUNNING ? NULL
                       : c->status == OTP_CHILD_RESTARTING ? "restarting" : "undefined";
      push_child_info(L, c->spec.key, c->pid, st, c->spec.type);
      lua_rawseti(L, list, ++k);
    }
  } else {
    for (int i = 0; i < otp_dynsup_count(u->d); i++) {
      const otp_dynsup_child *c = otp_dynsup_child_at(u->d, i);
      if (c->removed) continue;
      push_child_info(L, c->spec.key, c->pid, c->restarting ? "restarting" : NULL, c->spec.type);
      lua_rawseti(L, list, ++k);
    }
  }
}

static int l_which_children(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  lua_settop(L, 1);
  push_children(L, u);
  return 1;
}

static int l_count_children(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  otp_sup_counts n = u->s ? otp_sup_count_children(u->s, lsup_alive, otp_node_of(L))
                          : otp_dynsup_count_children(u->d);
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, n.specs);
  lua_setfield(L, -2, "specs");
  lua_pushinteger(L, n.active);
  lua_setfield(L, -2, "active");
  lua_pushinteger(L, n.supervisors);
  lua_setfield(L, -2, "supervisors");
  lua_pushinteger(L, n.workers);
  lua_setfield(L, -2, "workers");
  return 1;
}

/* get_childspec(id) -> {"ok", spec} | {"error", "not_found"} */
static int l_get_childspec(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  uint64_t key = u->s ? lsup_key_of_id(L, 2) : 0;
  if (key && otp_sup_find(u->s, key)) {
    lsup_push_record_field(L, key, "spec");
    lsup_wrap(L, "ok");
  } else {
    lua_pushliteral(L, "not_found");
    lsup_wrap(L, "error");
  }
  return 1;
}

/* set_strategy(strategy[, intensity[, period]]) -> "ok" | {"error", term} */
static int l_set_strategy(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  if (!u->s) {
    lua_pushliteral(L, "not_supported");
    lsup_wrap(L, "error");
    return 1;
  }
  lua_settop(L, 4);
  const otp_sup_flags *cur = otp_sup_get_flags(u->s);
  otp_raw_flags rf = {1, lsup_raw_of(L, 2), lsup_raw_of(L, 3), lsup_raw_of(L, 4),
                      {OTP_RAW_ABSENT, NULL, 0}};
  if (rf.strategy.kind == OTP_RAW_ABSENT) rf.strategy.kind = OTP_RAW_OTHER;
  otp_sup_flags f;
  otp_flags_err fe = otp_flags_check(&rf, &f);
  if (fe != OTP_FLAGS_OK) {
    int value = lsup_flag_value(fe, 2);
    lsup_push_pair(L, otp_flags_err_tag(fe), value);
    lsup_wrap(L, "error");
    lsup_log_spec_error(L, u, "set_strategy", otp_flags_hint(fe), value);
    return 1;
  }
  if (rf.intensity.kind == OTP_RAW_ABSENT) f.intensity = cur->intensity;
  if (rf.period.kind == OTP_RAW_ABSENT) f.period = cur->period;
  f.auto_shutdown = cur->auto_shutdown;
  otp_sup_set_flags(u->s, &f);
  lua_pushliteral(L, "ok");
  return 1;
}

/* get_state() -> a snapshot of the supervisor, for sys.get_state. */
static int l_get_state(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  lua_settop(L, 1);
  lua_createtable(L, 0, 8);
  if (u->s) {
    const otp_sup_flags *f = otp_sup_get_flags(u->s);
    lua_pushstring(L, otp_strategy_name(f->strategy));
    lua_setfield(L, 2, "strategy");
    lua_pushinteger(L, f->intensity);
    lua_setfield(L, 2, "intensity");
    lua_pushinteger(L, f->period);
    lua_setfield(L, 2, "period");
    lua_pushstring(L, otp_auto_shutdown_name(f->auto_shutdown));
    lua_setfield(L, 2, "auto_shutdown");
    lua_pushinteger(L, otp_sup_restarts_used(u->s, lsup_now_s(L)));
  } else {
    const otp_dynsup_flags *f = otp_dynsup_get_flags(u->d);
    lua_pushliteral(L, "one_for_one");
    lua_setfield(L, 2, "strategy");
    lua_pushinteger(L, f->intensity);
    lua_setfield(L, 2, "intensity");
    lua_pushinteger(L, f->period);
    lua_setfield(L, 2, "period");
    if (f->max_children == OTP_DYNSUP_INFINITY) lua_pushliteral(L, "infinity");
    else lua_pushinteger(L, (lua_Integer)f->max_children);
    lua_setfield(L, 2, "max_children");
    lua_pushinteger(L, otp_dynsup_restarts_used(u->d, lsup_now_s(L)));
  }
  lua_setfield(L, 2, "restarts");
  push_children(L, u);
  lua_setfield(L, 2, "children");
  lua_settop(L, 2);
  return 1;
}

/* unexpected(msg): OTP logs "Supervisor received unexpected message". */
static int l_unexpected(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  otp_node *node = otp_node_of(L);
  if (node->cfg.log_level < OTP_LOG_ERROR) return 0;
  lua_settop(L, 2);
  lsup_push_sup_name(L, u);
  otp_format(L, 2, 0);
  otp_log(node, OTP_LOG_ERROR, "%s received an unexpected message and ignores it: %s",
          lua_tostring(L, 3), lua_tostring(L, 4));
  return 0;
}

const luaL_Reg lsup_api_methods[] = {
  {"start_child", l_start_child}, {"terminate_child", l_terminate_child},
  {"restart_child", l_restart_child}, {"delete_child", l_delete_child},
  {"which_children", l_which_children}, {"count_children", l_count_children},
  {"get_childspec", l_get_childspec}, {"set_strategy", l_set_strategy},
  {"get_state", l_get_state}, {"unexpected", l_unexpected}, {NULL, NULL}
};
