/*
** The names of the event kinds, as events and trace options spell them.
*/
#include <string.h>
#include "trace/trace.h"

static const char *const kind_names[OTP_EV__COUNT] = {
  "spawn", "exit", "link", "unlink", "monitor", "demonitor", "down", "send",
  "send_to_dead", "receive", "register", "unregister", "sched_in", "sched_out",
  "timer", "sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown",
  "sandbox_create", "sandbox_destroy", "sandbox_restart", "limit_killed",
  "fault_drop", "fault_delay", "fault_crash", "fault_slow", "fault_kill"
};

const char *otp_trace_kind_name(otp_trace_kind kind) { return kind_names[kind]; }

int otp_trace_kind_from_name(const char *name) {
  for (int i = 0; i < OTP_EV__COUNT; i++)
    if (strcmp(kind_names[i], name) == 0) return i;
  return -1;
}
