/*
** otp.supervisor_core: the binding between the supervisor state machines
** (otp/supervisor.h, otp/dynsup.h) and their Lua drivers (lua/otp/
** supervisor.lua, dynamic_supervisor.lua). Internal: only those two use it.
**
** A machine is a userdata owned by the supervisor process. What the machine
** cannot hold lives in its uservalue table:
**   keys  key -> {id=, spec=, exit=, start=, term=}: a child's id, its
**         normalized spec (with the start function), and the last reason
**         it exited with, failed to start with, was terminated with
**   ids   id -> key (static supervisors)
**   stop  the supervisor's own exit reason (its parent's, or a crash)
**   extra extra_arguments (dynamic supervisors)
**
** m:next() hands the driver the next thing to do:
**   "start", start, extra        call the start function, then m:started(...)
**   "terminate", pid, shutdown   stop one child (C12), then m:terminated(reason)
**   "terminate_all", {{pid, shutdown}...}  (dynamic) stop them in parallel,
**                                then m:terminated_all{{pid, reason, early}...}
**   "retry", msg                 send msg to yourself (C10)
**   "reply", value               answer the call being served
**   "init_ok"                    every child started
**   "exit", reason               exit with reason
**   nil                          nothing: wait for the next message
** and does the rest itself: supervisor reports go to the log in words, trace
** events to layer 0 (sup_start_child, sup_restart, sup_terminate_child,
** sup_shutdown).
**
** Replies are what OTP's supervisor replies, spelled in Lua: "ok",
** {"ok", pid}, {"error", reason}, the which_children list, the counts.
**
** This file creates and drives the machines and serves the API calls; child
** specs and records are in lsupervisor_spec.c, reports and trace events in
** lsupervisor_notes.c (shared declarations: lsupervisor.h).
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

#define SUP_MT "otp.supervisor_core"

static sup_ud *check_ud(lua_State *L) {
  return luaL_checkudata(L, 1, SUP_MT);
}

/* ---- small helpers ---- */

void lsup_push_pair(lua_State *L, const char *tag, int value) {
  value = lua_absindex(L, value);
  lua_createtable(L, 2, 0);
  lua_pushstring(L, tag);
  lua_rawseti(L, -2, 1);
  lua_pushvalue(L, value);
  lua_rawseti(L, -2, 2);
}

/* Wraps the value on top as {tag, value}. */
static void wrap(lua_State *L, const char *tag) {
  lsup_push_pair(L, tag, -1);
  lua_remove(L, -2);
}

void lsup_push_shutdown(lua_State *L, int64_t ms) {
  if (ms == OTP_SHUTDOWN_BRUTAL_KILL) lua_pushliteral(L, "brutal_kill");
  else if (ms == OTP_SHUTDOWN_INFINITY) lua_pushliteral(L, "infinity");
  else lua_pushinteger(L, (lua_Integer)ms);
}

static int64_t now_s(void) {
  return (int64_t)(otp_now_ns() / 1000000000u);
}

/* The exit reason at idx, sorted for the restart rules. */
static otp_reason_kind reason_kind(lua_State *L, int idx) {
  if (lua_type(L, idx) == LUA_TSTRING) return otp_reason_kind_of(lua_tostring(L, idx), 0);
  if (!lua_istable(L, idx)) return OTP_REASON_OTHER;
  lua_rawgeti(L, idx, 1);
  lua_rawgeti(L, idx, 2);
  lua_rawgeti(L, idx, 3);
  int pair = lua_type(L, -3) == LUA_TSTRING && strcmp(lua_tostring(L, -3), "shutdown") == 0 &&
             !lua_isnil(L, -2) && lua_isnil(L, -1);
  lua_pop(L, 3);
  return pair ? OTP_REASON_SHUTDOWN_TERM : OTP_REASON_OTHER;
}

/* The uservalue's field name, pushed (the uservalue is looked up each time:
** the userdata is always at index 1). */
int lsup_push_data(lua_State *L, const char *field) {
  lua_getiuservalue(L, 1, 1);
  int t = lua_getfield(L, -1, field);
  lua_remove(L, -2);
  return t;
}

static void set_data(lua_State *L, const char *field) {   /* pops the value */
  lua_getiuservalue(L, 1, 1);
  lua_insert(L, -2);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

/* Pushes the record of key, or nil. */
int lsup_push_record(lua_State *L, uint64_t key) {
  lsup_push_data(L, "keys");
  int t = lua_rawgeti(L, -1, (lua_Integer)key);
  lua_remove(L, -2);
  return t;
}

/* Sets field of key's record to the value on top (popped). */
static void set_record(lua_State *L, uint64_t key, const char *field) {
  if (lsup_push_record(L, key) != LUA_TTABLE) {
    lua_pop(L, 2);
    return;
  }
  lua_insert(L, -2);
  lua_setfield(L, -2, field);
  lua_pop(L, 1);
}

/* Pushes field of key's record (nil if none). */
void lsup_push_record_field(lua_State *L, uint64_t key, const char *field) {
  if (lsup_push_record(L, key) == LUA_TTABLE) lua_getfield(L, -1, field);
  else lua_pushnil(L);
  lua_remove(L, -2);
}

static int alive(void *ud, otp_pid pid) {
  return otp_proc_get((otp_node *)ud, pid) != NULL;
}

/* ---- creating machines ---- */

/* Checks the argument table of fname, reads the parent (argument 2) and
** leaves 1 = a new machine, 2 = the table. */
static sup_ud *new_ud(lua_State *L, const char *fname, const char *what, otp_pid *parent) {
  otp_arg_type(L, 1, LUA_TTABLE, fname, what);
  *parent = otp_to_pid(L, 2);
  lua_settop(L, 1);
  sup_ud *u = lua_newuserdatauv(L, sizeof *u, 1);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, SUP_MT);
  lua_createtable(L, 0, 4);
  lua_newtable(L);
  lua_setfield(L, -2, "keys");
  lua_newtable(L);
  lua_setfield(L, -2, "ids");
  lua_setiuservalue(L, -2, 1);
  u->self = otp_self(L)->pid;
  lua_insert(L, 1);
  return u;
}

/* Pushes the fields names[0..n-1] of the table at idx; returns the first index. */
static int push_fields(lua_State *L, int idx, const char *const names[], int n) {
  int base = lua_gettop(L) + 1;
  for (int i = 0; i < n; i++) lua_getfield(L, idx, names[i]);
  return base;
}

/* Reads flags fields into raw; pushes 4 values, returns the first index. */
static int read_flags(lua_State *L, int spec, otp_raw_flags *raw) {
  static const char *const names[] = {"strategy", "intensity", "period", "auto_shutdown"};
  int base = push_fields(L, spec, names, 4);
  raw->is_table = 1;
  raw->strategy = lsup_raw_of(L, base);
  raw->intensity = lsup_raw_of(L, base + 1);
  raw->period = lsup_raw_of(L, base + 2);
  raw->auto_shutdown = lsup_raw_of(L, base + 3);
  return base;
}

/* The stack index of the flag a flags error is about, the flags being
** pushed in read_flags' order from base. */
static int flag_value(otp_flags_err fe, int base) {
  return base + (int)(fe - OTP_FLAGS_BAD_STRATEGY);
}

/* Wraps the error term on top as {wrapper, term}, logs it with a sentence
** and returns nil, the wrapped term. */
static int init_error(lua_State *L, sup_ud *u, const char *wrapper, const char *hint,
                      int value) {
  wrap(L, wrapper);
  lsup_log_spec_error(L, u, "cannot start", hint, value);
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

/* new(spec, parent) -> machine | nil, error term */
static int l_new(lua_State *L) {
  otp_pid parent;
  sup_ud *u = new_ud(L, "supervisor_core.new", "a supervisor spec table", &parent);
  otp_raw_flags rf;
  int fb = read_flags(L, 2, &rf);
  otp_sup_flags flags;
  otp_flags_err fe = otp_flags_check(&rf, &flags);
  if (fe != OTP_FLAGS_OK) {
    lsup_push_pair(L, otp_flags_err_tag(fe), flag_value(fe, fb));
    return init_error(L, u, "supervisor_data", otp_flags_hint(fe), flag_value(fe, fb));
  }
  void *aud;
  lua_Alloc af = lua_getallocf(L, &aud);
  u->s = otp_sup_new(&flags, parent, af, aud);
  if (!u->s) return luaL_error(L, "not enough memory");
  int children = lua_getfield(L, 2, "children") == LUA_TNIL ? 0 : lua_gettop(L);
  if (children && !lua_istable(L, children)) {
    lsup_push_pair(L, "invalid_child_spec", children);
    return init_error(L, u, "start_spec", "children must be a list of child specs", children);
  }
  lua_Integer n = children ? (lua_Integer)lua_rawlen(L, children) : 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int top = lua_gettop(L);
    lua_rawgeti(L, children, i);
    int spec = lua_gettop(L);
    otp_raw_spec raw;
    int base = lsup_read_spec(L, spec, &raw);
    otp_child_spec c = {0};
    otp_spec_err err = otp_spec_check(&raw, flags.auto_shutdown, &c);
    if (err != OTP_SPEC_OK) {
      lsup_push_spec_error(L, err, spec, base);
      return init_error(L, u, "start_spec", otp_spec_hint(err),
                        lsup_error_value(err, spec, base));
    }
    if (lsup_key_of_id(L, base + F_ID)) {
      lsup_push_pair(L, "duplicate_child_name", base + F_ID);
      return init_error(L, u, "start_spec", "two children have the same id (ids name "
                        "children: each must be unique)", base + F_ID);
    }
    c.key = lsup_store_child(L, u, &c, base, 1);
    if (otp_sup_add_child(u->s, &c) < 0) return luaL_error(L, "not enough memory");
    lua_settop(L, top);
  }
  lua_settop(L, 1);
  otp_analytics_sup_known(L, u);       /* analytics know it from the start */
  return 1;
}

/* new_dynamic(opts, parent) -> machine | nil, error term (Elixir's checks:
** strategy, intensity, period, max_children, extra_arguments). */
static int l_new_dynamic(lua_State *L) {
  otp_pid parent;
  sup_ud *u = new_ud(L, "supervisor_core.new_dynamic", "an options table", &parent);
  u->dynamic = 1;
  static const char *const names[] = {"strategy", "intensity", "period", "max_children",
                                      "extra_arguments"};
  int base = push_fields(L, 2, names, 5);
  otp_dynsup_flags f = {OTP_DEFAULT_INTENSITY, OTP_DEFAULT_PERIOD, OTP_DYNSUP_INFINITY};
  otp_raw r = lsup_raw_of(L, base);
  const char *tag = NULL, *hint = NULL;
  int bad = 0;
  if (r.kind != OTP_RAW_ABSENT && !(r.kind == OTP_RAW_STRING && strcmp(r.s, "one_for_one") == 0)) {
    tag = "invalid_strategy", bad = base;
    hint = "a dynamic supervisor's strategy can only be \"one_for_one\"";
  }
  r = lsup_raw_of(L, base + 1);
  if (!tag && r.kind != OTP_RAW_ABSENT) {
    if (r.kind != OTP_RAW_INTEGER || r.i < 0 || r.i > INT32_MAX)
      tag = "invalid_intensity", bad = base + 1, hint = otp_flags_hint(OTP_FLAGS_BAD_INTENSITY);
    else f.intensity = (int)r.i;
  }
  r = lsup_raw_of(L, base + 2);
  if (!tag && r.kind != OTP_RAW_ABSENT) {
    if (r.kind != OTP_RAW_INTEGER || r.i <= 0 || r.i > INT32_MAX)
      tag = "invalid_period", bad = base + 2, hint = otp_flags_hint(OTP_FLAGS_BAD_PERIOD);
    else f.period = (int)r.i;
  }
  r = lsup_raw_of(L, base + 3);
  if (!tag && r.kind != OTP_RAW_ABSENT && !(r.kind == OTP_RAW_STRING && strcmp(r.s, "infinity") == 0)) {
    if (r.kind != OTP_RAW_INTEGER || r.i < 0)
      tag = "invalid_max_children", bad = base + 3,
      hint = "max_children must be \"infinity\" or an integer >= 0";
    else f.max_children = r.i;
  }
  if (!tag && !lua_isnil(L, base + 4) && !lua_istable(L, base + 4))
    tag = "invalid_extra_arguments", bad = base + 4,
    hint = "extra_arguments must be a list of values passed first to every start function";
  if (tag) {
    lsup_push_pair(L, tag, bad);
    return init_error(L, u, "supervisor_data", hint, bad);
  }
  if (lua_istable(L, base + 4)) {
    lua_pushvalue(L, base + 4);
    set_data(L, "extra");
  }
  void *aud;
  lua_Alloc af = lua_getallocf(L, &aud);
  u->d = otp_dynsup_new(&f, parent, af, aud);
  if (!u->d) return luaL_error(L, "not enough memory");
  lua_settop(L, 1);
  otp_analytics_sup_known(L, u);
  return 1;
}

static int l_gc(lua_State *L) {
  sup_ud *u = check_ud(L);
  otp_sup_free(u->s);
  otp_dynsup_free(u->d);
  u->s = NULL;
  u->d = NULL;
  return 0;
}

/* ---- driving ---- */

static void machine_next(sup_ud *u, otp_sup_op *op) {
  if (u->s) otp_sup_next(u->s, op);
  else otp_dynsup_next(u->d, op);
}

/* Pushes the reply value of a REPLY operation. */
static void push_reply(lua_State *L, const otp_sup_op *op, int dynamic) {
  const char *err = NULL;
  switch (op->code) {
    case OTP_SUP_REPLY_OK: lua_pushliteral(L, "ok"); return;
    case OTP_SUP_REPLY_PID:
      otp_push_pid(L, op->pid);
      wrap(L, "ok");
      return;
    case OTP_SUP_REPLY_IGNORE:          /* OTP: {ok, undefined}; Elixir: ignore */
      if (dynamic) {
        lua_pushliteral(L, "ignore");
        return;
      }
      lua_pushliteral(L, "undefined");
      wrap(L, "ok");
      return;
    case OTP_SUP_REPLY_START_ERROR:
      lua_createtable(L, 2, 0);
      lsup_push_record_field(L, op->key, "start");
      lua_rawseti(L, -2, 1);
      lsup_push_record_field(L, op->key, "spec");
      lua_rawseti(L, -2, 2);
      wrap(L, "error");
      return;
    case OTP_SUP_REPLY_ERROR:
      lsup_push_record_field(L, op->key, "start");
      wrap(L, "error");
      return;
    case OTP_SUP_REPLY_ALREADY_STARTED:
      otp_push_pid(L, op->pid);
      wrap(L, "already_started");
      wrap(L, "error");
      return;
    case OTP_SUP_REPLY_NOT_FOUND: err = "not_found"; break;
    case OTP_SUP_REPLY_RUNNING: err = "running"; break;
    case OTP_SUP_REPLY_RESTARTING: err = "restarting"; break;
    case OTP_SUP_REPLY_ALREADY_PRESENT: err = "already_present"; break;
    case OTP_SUP_REPLY_MAX_CHILDREN: err = "max_children"; break;
  }
  lua_pushstring(L, err ? err : "unknown");
  wrap(L, "error");
}

/* Pushes the supervisor's exit reason for an EXIT operation. */
static void push_exit_reason(lua_State *L, const otp_sup_op *op) {
  switch (op->code) {
    case OTP_SUP_EXIT_STOP:
      lsup_push_data(L, "stop");
      return;
    case OTP_SUP_EXIT_START_FAILED:     /* {shutdown, {failed_to_start_child, Id, R}} */
      lua_createtable(L, 3, 0);
      lua_pushliteral(L, "failed_to_start_child");
      lua_rawseti(L, -2, 1);
      lsup_push_record_field(L, op->key, "id");
      lua_rawseti(L, -2, 2);
      lsup_push_record_field(L, op->key, "start");
      lua_rawseti(L, -2, 3);
      wrap(L, "shutdown");
      return;
    default:
      lua_pushliteral(L, "shutdown");
      return;
  }
}

static int l_next(lua_State *L) {
  sup_ud *u = check_ud(L);
  lua_settop(L, 1);
  for (;;) {
    otp_sup_op op;
    machine_next(u, &op);
    switch (op.kind) {
      case OTP_SUP_OP_NONE:
        return 0;
      case OTP_SUP_OP_REPORT:
        lsup_log_report(L, u, &op);
        continue;
      case OTP_SUP_OP_EVENT:
        lsup_emit_event(L, u, &op);
        continue;
      case OTP_SUP_OP_FORGET:
        lsup_forget(L, op.key);
        continue;
      case OTP_SUP_OP_START:
        u->key = op.key;
        lua_pushliteral(L, "start");
        lsup_push_record_field(L, op.key, "spec");
        lua_getfield(L, -1, "start");
        lua_remove(L, -2);
        lsup_push_data(L, "extra");
        return 3;
      case OTP_SUP_OP_TERMINATE:
        u->key = op.key;
        lua_pushliteral(L, "terminate");
        otp_push_pid(L, op.pid);
        lsup_push_shutdown(L, op.shutdown);
        return 3;
      case OTP_SUP_OP_TERMINATE_ALL: {
        lua_pushliteral(L, "terminate_all");
        lua_newtable(L);
        lua_Integer k = 0;
        for (int i = 0; u->d && i < otp_dynsup_count(u->d); i++) {
          const otp_dynsup_child *c = otp_dynsup_child_at(u->d, i);
          if (!c->marked) continue;
          lua_createtable(L, 2, 0);
          otp_push_pid(L, c->pid);
          lua_rawseti(L, -2, 1);
          lsup_push_shutdown(L, c->spec.shutdown);
          lua_rawseti(L, -2, 2);
          lua_rawseti(L, -2, ++k);
        }
        return 2;
      }
      case OTP_SUP_OP_RETRY:
        lua_pushliteral(L, "retry");
        if (u->s) {                    /* {"$gen_cast", {"try_again_restart", Id}} */
          lsup_push_record_field(L, op.key, "id");
          wrap(L, "try_again_restart");
          wrap(L, "$gen_cast");
        } else {                       /* {"$gen_restart", OldPid} */
          otp_push_pid(L, op.pid);
          wrap(L, "$gen_restart");
        }
        return 2;
      case OTP_SUP_OP_REPLY:
        lua_pushliteral(L, "reply");
        push_reply(L, &op, u->d != NULL);
        return 2;
      case OTP_SUP_OP_INIT_OK:
        lua_pushliteral(L, "init_ok");
        return 1;
      case OTP_SUP_OP_EXIT:
        lua_pushliteral(L, "exit");
        push_exit_reason(L, &op);
        return 2;
    }
  }
}

/* started(pid) | started(nil, reason): what the start function gave. */
static int l_started(lua_State *L) {
  sup_ud *u = check_ud(L);
  lua_settop(L, 3);
  otp_pid pid = otp_to_pid(L, 2);
  int result = OTP_START_OK;
  if (!pid) {
    result = lua_type(L, 3) == LUA_TSTRING && strcmp(lua_tostring(L, 3), "ignore") == 0
                 ? OTP_START_IGNORE : OTP_START_ERROR;
    if (lua_isnil(L, 3)) lua_pushliteral(L, "undefined");
    else lua_pushvalue(L, 3);
    set_record(L, u->key, "start");
  }
  if (u->s) otp_sup_started(u->s, result, pid);
  else otp_dynsup_started(u->d, result, pid);
  return 0;
}

/* terminated(reason): the child handed out by "terminate" is dead. */
static int l_terminated(lua_State *L) {
  sup_ud *u = check_ud(L);
  lua_settop(L, 3);
  otp_reason_kind kind = reason_kind(L, 2);
  lua_pushvalue(L, 2);
  set_record(L, u->key, "term");
  lua_pushboolean(L, lua_toboolean(L, 3));   /* this supervisor sent the kill */
  set_record(L, u->key, "killed_here");
  if (u->s) otp_sup_terminated(u->s, kind);
  return 0;
}

/* terminated_all{{pid, reason, early}...}: every "terminate_all" child. */
static int l_terminated_all(lua_State *L) {
  sup_ud *u = check_ud(L);
  luaL_checktype(L, 2, LUA_TTABLE);
  if (!u->d) return 0;
  lua_Integer n = (lua_Integer)lua_rawlen(L, 2);
  for (lua_Integer i = 1; i <= n; i++) {
    int top = lua_gettop(L);
    if (lua_rawgeti(L, 2, i) != LUA_TTABLE)
      return otp_raise(L, "badarg: terminated_all needs a list of {pid, reason, early} "
                        "tables, item %I is %s", i, luaL_typename(L, -1));
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    lua_rawgeti(L, -3, 3);
    lua_rawgeti(L, -4, 4);
    otp_pid pid = otp_to_pid(L, top + 2);
    for (int j = 0; pid && j < otp_dynsup_count(u->d); j++) {
      const otp_dynsup_child *c = otp_dynsup_child_at(u->d, j);
      if (c->marked && c->pid == pid) {
        lua_pushvalue(L, top + 3);
        set_record(L, c->spec.key, "term");
        lua_pushboolean(L, lua_toboolean(L, top + 5));
        set_record(L, c->spec.key, "killed_here");
        otp_dynsup_terminated(u->d, pid, reason_kind(L, top + 3), lua_toboolean(L, top + 4));
        break;
      }
    }
    lua_settop(L, top);
  }
  otp_dynsup_terminate_done(u->d);
  return 0;
}

/* exit_signal(from, reason) -> "parent" | "child" | "ignored" */
static int l_exit_signal(lua_State *L) {
  sup_ud *u = check_ud(L);
  lua_settop(L, 3);
  otp_pid from = otp_to_pid(L, 2);
  uint64_t key = 0;
  otp_reason_kind kind = reason_kind(L, 3);
  int r = u->s ? otp_sup_exit_signal(u->s, from, kind, now_s(), &key)
               : otp_dynsup_exit_signal(u->d, from, kind, now_s(), &key);
  lua_pushvalue(L, 3);
  if (r == OTP_SIGNAL_PARENT) set_data(L, "stop");
  else if (r == OTP_SIGNAL_CHILD) set_record(L, key, "exit");
  else lua_pop(L, 1);
  lua_pushstring(L, r == OTP_SIGNAL_PARENT ? "parent" : r == OTP_SIGNAL_CHILD ? "child" : "ignored");
  return 1;
}

/* stop(reason): terminate every child, then exit with reason. */
static int l_stop(lua_State *L) {
  sup_ud *u = check_ud(L);
  lua_settop(L, 2);
  set_data(L, "stop");
  if (u->s) otp_sup_stop(u->s);
  else otp_dynsup_stop(u->d);
  return 0;
}

/* retry(id) (static) / retry(old_pid) (dynamic) */
static int l_retry(lua_State *L) {
  sup_ud *u = check_ud(L);
  if (u->s) otp_sup_retry(u->s, lsup_key_of_id(L, 2), now_s());
  else otp_dynsup_retry(u->d, otp_to_pid(L, 2), now_s());
  return 0;
}

/* begin(): the init job (static supervisors). */
static int l_begin(lua_State *L) {
  sup_ud *u = check_ud(L);
  if (u->s) otp_sup_begin(u->s);
  return 0;
}

/* ---- API calls ---- */

/* start_child(spec) -> true (a reply will come) | false, error term */
static int l_start_child(lua_State *L) {
  sup_ud *u = check_ud(L);
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
  sup_ud *u = check_ud(L);
  if (u->s) otp_sup_call_terminate_child(u->s, lsup_key_of_id(L, 2));
  else otp_dynsup_call_terminate_child(u->d, otp_to_pid(L, 2));
  return 0;
}

static int l_restart_child(lua_State *L) {
  sup_ud *u = check_ud(L);
  if (u->s) otp_sup_call_restart_child(u->s, lsup_key_of_id(L, 2));
  return 0;
}

static int l_delete_child(lua_State *L) {
  sup_ud *u = check_ud(L);
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
  sup_ud *u = check_ud(L);
  lua_settop(L, 1);
  push_children(L, u);
  return 1;
}

static int l_count_children(lua_State *L) {
  sup_ud *u = check_ud(L);
  otp_sup_counts n = u->s ? otp_sup_count_children(u->s, alive, otp_node_of(L))
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
  sup_ud *u = check_ud(L);
  uint64_t key = u->s ? lsup_key_of_id(L, 2) : 0;
  if (key && otp_sup_find(u->s, key)) {
    lsup_push_record_field(L, key, "spec");
    wrap(L, "ok");
  } else {
    lua_pushliteral(L, "not_found");
    wrap(L, "error");
  }
  return 1;
}

/* set_strategy(strategy[, intensity[, period]]) -> "ok" | {"error", term} */
static int l_set_strategy(lua_State *L) {
  sup_ud *u = check_ud(L);
  if (!u->s) {
    lua_pushliteral(L, "not_supported");
    wrap(L, "error");
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
    int value = flag_value(fe, 2);
    lsup_push_pair(L, otp_flags_err_tag(fe), value);
    wrap(L, "error");
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
  sup_ud *u = check_ud(L);
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
    lua_pushinteger(L, otp_sup_restarts_used(u->s, now_s()));
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
    lua_pushinteger(L, otp_dynsup_restarts_used(u->d, now_s()));
  }
  lua_setfield(L, 2, "restarts");
  push_children(L, u);
  lua_setfield(L, 2, "children");
  lua_settop(L, 2);
  return 1;
}

/* unexpected(msg): OTP logs "Supervisor received unexpected message". */
static int l_unexpected(lua_State *L) {
  sup_ud *u = check_ud(L);
  otp_node *node = otp_node_of(L);
  if (node->cfg.log_level < OTP_LOG_ERROR) return 0;
  lua_settop(L, 2);
  lsup_push_sup_name(L, u);
  otp_format(L, 2, 0);
  otp_log(node, OTP_LOG_ERROR, "%s received an unexpected message and ignores it: %s",
          lua_tostring(L, 3), lua_tostring(L, 4));
  return 0;
}

/* ---- module functions ---- */

static int l_is_pid(lua_State *L) {
  lua_pushboolean(L, otp_to_pid(L, 1) != OTP_PID_NONE);
  return 1;
}

/* deliver(dest, msg): sends msg to dest (a pid or an alias), copied as
** spawn copies values: functions (a child spec's start) arrive as fresh
** closures with their own upvalues. A dead or inactive destination drops it. */
static int l_deliver(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  lua_settop(L, 2);
  otp_proc *to = NULL;
  otp_pid pid = otp_to_pid(L, 1);
  if (pid) to = otp_proc_get(node, pid);
  else {
    if (!otp_to_ref(L, 1)) return otp_raise(L, "badarg: deliver needs a pid or an alias, got %s",
                                            luaL_typename(L, 1));
    to = otp_alias_target(node, L, 1);
  }
  if (!to) return 0;
  if (to->vm != self->vm) {          /* across the sandbox wall */
    otp_carry_message(L, 2, self, to, OTP_COPY_SPAWN);
    return 0;
  }
  otp_charge_state cs = otp_charge_receiver(node, to);
  otp_proc_push_env(L, to);
  otp_copy(L, 2, OTP_COPY_SPAWN, "msg", 3);
  otp_charge_restore(node, cs);
  lua_remove(L, 3);
  node->messages_sent++;
  self->vm->messages_sent++;
  if (otp_trace_on(node, OTP_EV_SEND)) {
    otp_trace_info info = {.pid = self->pid, .other = to->pid, .L = L, .msg = 3};
    otp_trace_emit(node, OTP_EV_SEND, &info);
  }
  otp_mailbox_put(node, L, to, self->pid);
  return 0;
}

/* start_error(e): the message handler around a start function: what OTP's
** catch makes of an exception, {"EXIT", reason} for an exit and
** {"EXIT", {"error", e, traceback}} for an error. */
static int l_start_error(lua_State *L) {
  lua_settop(L, 1);
  lua_createtable(L, 2, 0);
  lua_pushliteral(L, "EXIT");
  lua_rawseti(L, 2, 1);
  if (otp_is_exit_exception(L, 1)) {
    lua_rawgeti(L, 1, 2);
  } else {
    lua_createtable(L, 3, 0);
    lua_pushliteral(L, "error");
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 2);
    luaL_traceback(L, L, NULL, 1);
    const char *tb = lua_tostring(L, -1);    /* the supervisor's own frames go */
    const char *cut = strstr(tb, "\n\t[C]: in function 'xpcall'");
    if (cut) {
      lua_pushlstring(L, tb, (size_t)(cut - tb));
      lua_remove(L, -2);
    }
    lua_rawseti(L, -2, 3);
  }
  lua_rawseti(L, 2, 2);
  return 1;
}

int luaopen_otp_supervisor_core(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"next", l_next}, {"started", l_started}, {"terminated", l_terminated},
    {"terminated_all", l_terminated_all}, {"exit_signal", l_exit_signal}, {"stop", l_stop},
    {"retry", l_retry}, {"begin", l_begin}, {"start_child", l_start_child},
    {"terminate_child", l_terminate_child}, {"restart_child", l_restart_child},
    {"delete_child", l_delete_child}, {"which_children", l_which_children},
    {"count_children", l_count_children}, {"get_childspec", l_get_childspec},
    {"set_strategy", l_set_strategy}, {"get_state", l_get_state},
    {"unexpected", l_unexpected}, {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"new", l_new}, {"new_dynamic", l_new_dynamic}, {"is_pid", l_is_pid},
    {"deliver", l_deliver}, {"start_error", l_start_error}, {NULL, NULL}
  };
  luaL_newmetatable(L, SUP_MT);
  luaL_newlib(L, methods);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, l_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  return 1;
}

/* Sets otp.supervisor_core (read-only) in the otp table on top of the stack. */
void otp_supervisor_core_register(lua_State *L) {
  luaopen_otp_supervisor_core(L);
  otp_env_readonly(L, -1);
  lua_setfield(L, -3, "supervisor_core");
  lua_pop(L, 1);
}
