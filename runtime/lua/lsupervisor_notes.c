/*
** otp.supervisor_core, notes: supervisor reports and spec errors go to the
** log in words, trace events to layer 0 (sup_start_child, sup_restart,
** sup_terminate_child, sup_shutdown).
*/
#include <string.h>
#include "lua/lsupervisor.h"
#include "core/format.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/term.h"
#include "otp/analytics.h"
#include "lua/lanalytics.h"
#include "trace/trace.h"

/* Pushes "supervisor <0.5.0>" or "supervisor 'name' (<0.5.0>)". */
void lsup_push_sup_name(lua_State *L, sup_ud *u) {
  otp_node *node = otp_node_of(L);
  char pid[48];
  otp_pid_format(u->self, pid, sizeof pid);
  const char *what = u->dynamic ? "dynamic supervisor" : "supervisor";
  otp_proc *p = otp_proc_get(node, u->self);
  if (p) otp_registry_push_name(L, p);
  else lua_pushnil(L);
  if (lua_type(L, -1) == LUA_TSTRING) lua_pushfstring(L, "%s '%s' (%s)", what, lua_tostring(L, -1), pid);
  else lua_pushfstring(L, "%s %s", what, pid);
  lua_remove(L, -2);
}

/* Logs a spec error: "<sup>: <where>: <hint> (got <value>); <term>". The
** error term is on top of the stack (left there). */
void lsup_log_spec_error(lua_State *L, sup_ud *u, const char *where, const char *hint,
                         int value) {
  otp_node *node = otp_node_of(L);
  if (node->cfg.log_level < OTP_LOG_ERROR) return;
  int top = lua_gettop(L);
  lsup_push_sup_name(L, u);
  if (value) {
    otp_format(L, value, 0);
    lua_pushfstring(L, " (got %s)", lua_tostring(L, -1));
    lua_remove(L, -2);
  } else {
    lua_pushliteral(L, "");
  }
  otp_format(L, top, 0);
  otp_log(node, OTP_LOG_ERROR, "%s: %s: %s%s; the error is %s", lua_tostring(L, top + 1),
          where, hint, lua_tostring(L, top + 2), lua_tostring(L, top + 3));
  lua_settop(L, top);
}

/* Pushes the value an operation refers to. */
static void push_value(lua_State *L, const otp_sup_op *op) {
  switch (op->value) {
    case OTP_SUP_VALUE_EXIT: lsup_push_record_field(L, op->key, "exit"); break;
    case OTP_SUP_VALUE_START: lsup_push_record_field(L, op->key, "start"); break;
    case OTP_SUP_VALUE_TERM: lsup_push_record_field(L, op->key, "term"); break;
    case OTP_SUP_VALUE_STOP: lsup_push_data(L, "stop"); break;
    case OTP_SUP_VALUE_TEXT: lua_pushstring(L, op->text); break;
    default: lua_pushnil(L); break;
  }
}

/* Pushes how a child is named in the log: "child \"a\" <0.7.0>". */
static void push_child_name(lua_State *L, uint64_t key, otp_pid pid) {
  lsup_push_record_field(L, key, "id");
  char buf[48] = "";
  if (pid) otp_pid_format_on(otp_node_of(L), pid, buf, sizeof buf);   /* remote ones too */
  if (lua_isnil(L, -1)) {
    lua_pushfstring(L, "child %s", pid ? buf : "(no pid)");
  } else {
    otp_format(L, -1, 0);
    lua_pushfstring(L, pid ? "child %s %s" : "child %s%s", lua_tostring(L, -1), buf);
    lua_remove(L, -2);
  }
  lua_remove(L, -2);
}

static const char *restart_words(const char *restart) {
  if (!restart) return "";
  if (strcmp(restart, "permanent") == 0) return "a permanent child is always restarted";
  if (strcmp(restart, "transient") == 0)
    return "a transient child is restarted only after an abnormal exit";
  return "a temporary child is never restarted";
}

void lsup_log_report(lua_State *L, sup_ud *u, const otp_sup_op *op) {
  otp_node *node = otp_node_of(L);
  if (node->cfg.log_level < OTP_LOG_ERROR) return;
  int top = lua_gettop(L);
  lsup_push_sup_name(L, u);                       /* top + 1 */
  push_child_name(L, op->key, op->pid);      /* top + 2 */
  push_value(L, op);
  otp_format(L, -1, 0);                      /* top + 4: the reason */
  lsup_push_record_field(L, op->key, "spec");     /* top + 5 */
  const char *restart = NULL;
  int64_t shutdown = 0;
  if (lua_istable(L, top + 5)) {
    lua_getfield(L, top + 5, "restart");
    restart = lua_tostring(L, -1);
    lua_getfield(L, top + 5, "shutdown");
    shutdown = lua_isinteger(L, -1) ? (int64_t)lua_tointeger(L, -1) : -1;
  }
  const char *sup = lua_tostring(L, top + 1), *child = lua_tostring(L, top + 2);
  const char *reason = lua_tostring(L, top + 4);
  switch (op->code) {
    case OTP_SUP_REPORT_CHILD_TERMINATED:
      otp_log(node, OTP_LOG_ERROR, "%s: %s exited with reason %s (child_terminated; %s)", sup,
              child, reason, restart_words(restart));
      break;
    case OTP_SUP_REPORT_START_ERROR:
      otp_log(node, OTP_LOG_ERROR, "%s: %s failed to start: its start function gave %s "
              "(start_error)", sup, child, reason);
      break;
    case OTP_SUP_REPORT_SHUTDOWN_ERROR:
      lsup_push_record_field(L, op->key, "killed_here");
      if (strcmp(reason, "\"killed\"") == 0 && !lua_toboolean(L, -1))
        otp_log(node, OTP_LOG_ERROR, "%s: %s was killed by another process while the "
                "supervisor was shutting it down (shutdown_error, reason \"killed\")", sup,
                child);
      else if (shutdown >= 0 && strcmp(reason, "\"killed\"") == 0)
        otp_log(node, OTP_LOG_ERROR, "%s: %s did not stop within its shutdown time of %lld ms, "
                "so it was killed (shutdown_error, reason \"killed\")", sup, child,
                (long long)shutdown);
      else
        otp_log(node, OTP_LOG_ERROR, "%s: %s was asked to shut down and ended with reason %s "
                "(shutdown_error)", sup, child, reason);
      break;
    case OTP_SUP_REPORT_MAX_INTENSITY: {
      int intensity = u->s ? otp_sup_get_flags(u->s)->intensity : otp_dynsup_get_flags(u->d)->intensity;
      int period = u->s ? otp_sup_get_flags(u->s)->period : otp_dynsup_get_flags(u->d)->period;
      const char *what = op->value == OTP_SUP_VALUE_START
                             ? "still cannot start: its start function gave"
                             : "exited with reason";
      if (intensity == 0)
        otp_log(node, OTP_LOG_ERROR, "%s: %s %s %s, and with intensity 0 no restart is "
                "allowed: the supervisor gives up, terminates its other children and exits "
                "with reason \"shutdown\" (reached_max_restart_intensity)", sup, child, what,
                reason);
      else
        otp_log(node, OTP_LOG_ERROR, "%s: %s %s %s, and restarting it would make more than %d "
                "restart%s within %d s: the supervisor gives up, terminates its other children "
                "and exits with reason \"shutdown\" (reached_max_restart_intensity)", sup,
                child, what, reason, intensity, intensity == 1 ? "" : "s", period);
      break;
    }
  }
  lua_settop(L, top);
}

static const char *strategy_of(sup_ud *u) {
  return u->s ? otp_strategy_name(otp_sup_get_flags(u->s)->strategy) : "one_for_one";
}

void lsup_emit_event(lua_State *L, sup_ud *u, const otp_sup_op *op) {
  otp_node *node = otp_node_of(L);
  otp_trace_kind kind = (otp_trace_kind)op->code;
  otp_analytics_sup_event(L, u, op);
  if (!otp_trace_on(node, kind)) return;
  int top = lua_gettop(L);
  otp_trace_info info = {0};
  info.pid = u->self;
  info.L = L;
  lsup_push_record_field(L, op->key, "id");
  if (!lua_isnil(L, -1)) info.id = lua_gettop(L);
  push_value(L, op);
  if (!lua_isnil(L, -1)) info.reason = lua_gettop(L);
  switch (kind) {
    case OTP_EV_SUP_START_CHILD:
    case OTP_EV_SUP_TERMINATE_CHILD:
      info.other = op->pid;
      break;
    case OTP_EV_SUP_RESTART:
    case OTP_EV_SUP_SHUTDOWN:
      info.old_pid = op->old_pid;
      info.new_pid = op->pid;
      info.strategy = strategy_of(u);
      break;
    default:
      break;
  }
  otp_trace_emit(node, kind, &info);
  lua_settop(L, top);
}

