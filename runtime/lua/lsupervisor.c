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
** This file creates and drives the machines; the API calls they serve
** (start_child, which_children, ...) are in lsupervisor_api.c, child specs
** and records in lsupervisor_spec.c, reports and trace events in
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


sup_ud *lsup_check_ud(lua_State *L) {
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
void lsup_wrap(lua_State *L, const char *tag) {
  lsup_push_pair(L, tag, -1);
  lua_remove(L, -2);
}

void lsup_push_shutdown(lua_State *L, int64_t ms) {
  if (ms == OTP_SHUTDOWN_BRUTAL_KILL) lua_pushliteral(L, "brutal_kill");
  else if (ms == OTP_SHUTDOWN_INFINITY) lua_pushliteral(L, "infinity");
  else lua_pushinteger(L, (lua_Integer)ms);
}

int64_t lsup_now_s(lua_State *L) {
  return (int64_t)(otp_clock_now(otp_node_of(L)) / 1000000000u);
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

void lsup_set_data(lua_State *L, const char *field) {   /* pops the value */
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

int lsup_alive(void *ud, otp_pid pid) {
  return otp_proc_get((otp_node *)ud, pid) != NULL;
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
      lsup_wrap(L, "ok");
      return;
    case OTP_SUP_REPLY_IGNORE:          /* OTP: {ok, undefined}; Elixir: ignore */
      if (dynamic) {
        lua_pushliteral(L, "ignore");
        return;
      }
      lua_pushliteral(L, "undefined");
      lsup_wrap(L, "ok");
      return;
    case OTP_SUP_REPLY_START_ERROR:
      lua_createtable(L, 2, 0);
      lsup_push_record_field(L, op->key, "start");
      lua_rawseti(L, -2, 1);
      lsup_push_record_field(L, op->key, "spec");
      lua_rawseti(L, -2, 2);
      lsup_wrap(L, "error");
      return;
    case OTP_SUP_REPLY_ERROR:
      lsup_push_record_field(L, op->key, "start");
      lsup_wrap(L, "error");
      return;
    case OTP_SUP_REPLY_ALREADY_STARTED:
      otp_push_pid(L, op->pid);
      lsup_wrap(L, "already_started");
      lsup_wrap(L, "error");
      return;
    case OTP_SUP_REPLY_NOT_FOUND: err = "not_found"; break;
    case OTP_SUP_REPLY_RUNNING: err = "running"; break;
    case OTP_SUP_REPLY_RESTARTING: err = "restarting"; break;
    case OTP_SUP_REPLY_ALREADY_PRESENT: err = "already_present"; break;
    case OTP_SUP_REPLY_MAX_CHILDREN: err = "max_children"; break;
  }
  lua_pushstring(L, err ? err : "unknown");
  lsup_wrap(L, "error");
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
      lsup_wrap(L, "shutdown");
      return;
    default:
      lua_pushliteral(L, "shutdown");
      return;
  }
}

static int l_next(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
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
        for (int i = u->d ? otp_dynsup_next_marked(u->d, -1) : -1; i >= 0;
             i = otp_dynsup_next_marked(u->d, i)) {
          const otp_dynsup_child *c = otp_dynsup_child_at(u->d, i);
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
          lsup_wrap(L, "try_again_restart");
          lsup_wrap(L, "$gen_cast");
        } else {                       /* {"$gen_restart", OldPid} */
          otp_push_pid(L, op.pid);
          lsup_wrap(L, "$gen_restart");
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
  sup_ud *u = lsup_check_ud(L);
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
  sup_ud *u = lsup_check_ud(L);
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
  sup_ud *u = lsup_check_ud(L);
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
    const otp_dynsup_child *c = otp_dynsup_child_at(u->d, otp_dynsup_find(u->d, pid));
    if (c && c->marked) {
      lua_pushvalue(L, top + 3);
      set_record(L, c->spec.key, "term");
      lua_pushboolean(L, lua_toboolean(L, top + 5));
      set_record(L, c->spec.key, "killed_here");
      otp_dynsup_terminated(u->d, pid, reason_kind(L, top + 3), lua_toboolean(L, top + 4));
    }
    lua_settop(L, top);
  }
  otp_dynsup_terminate_done(u->d);
  return 0;
}

/* exit_signal(from, reason) -> "parent" | "child" | "ignored" */
static int l_exit_signal(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  lua_settop(L, 3);
  otp_pid from = otp_to_pid(L, 2);
  uint64_t key = 0;
  otp_reason_kind kind = reason_kind(L, 3);
  int r = u->s ? otp_sup_exit_signal(u->s, from, kind, lsup_now_s(L), &key)
               : otp_dynsup_exit_signal(u->d, from, kind, lsup_now_s(L), &key);
  lua_pushvalue(L, 3);
  if (r == OTP_SIGNAL_PARENT) lsup_set_data(L, "stop");
  else if (r == OTP_SIGNAL_CHILD) set_record(L, key, "exit");
  else lua_pop(L, 1);
  lua_pushstring(L, r == OTP_SIGNAL_PARENT ? "parent" : r == OTP_SIGNAL_CHILD ? "child" : "ignored");
  return 1;
}

/* stop(reason): terminate every child, then exit with reason. */
static int l_stop(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  lua_settop(L, 2);
  lsup_set_data(L, "stop");
  if (u->s) otp_sup_stop(u->s);
  else otp_dynsup_stop(u->d);
  return 0;
}

/* retry(id) (static) / retry(old_pid) (dynamic) */
static int l_retry(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  if (u->s) otp_sup_retry(u->s, lsup_key_of_id(L, 2), lsup_now_s(L));
  else otp_dynsup_retry(u->d, otp_to_pid(L, 2), lsup_now_s(L));
  return 0;
}

/* begin(): the init job (static supervisors). */
static int l_begin(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  if (u->s) otp_sup_begin(u->s);
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
    {"retry", l_retry}, {"begin", l_begin}, {NULL, NULL}
  };
  static const luaL_Reg funcs[] = {
    {"new", lsup_new}, {"new_dynamic", lsup_new_dynamic}, {"is_pid", l_is_pid},
    {"deliver", l_deliver}, {"start_error", l_start_error}, {NULL, NULL}
  };
  luaL_newmetatable(L, SUP_MT);
  luaL_newlib(L, methods);
  luaL_setfuncs(L, lsup_api_methods, 0);     /* lsupervisor_api.c */
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, lsup_gc);
  lua_setfield(L, -2, "__gc");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
  luaL_newlib(L, funcs);
  return 1;
}

/* Sets supervisor_core in the otp table on top of the stack; luaopen_otp then
** moves it to otp_internal (library files only, see hide_internals). */
void otp_supervisor_core_register(lua_State *L) {
  luaopen_otp_supervisor_core(L);
  otp_env_readonly(L, -1);
  lua_setfield(L, -3, "supervisor_core");
  lua_pop(L, 1);
}
