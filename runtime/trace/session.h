/*
** A trace session: which events it wants, and the bounded ring they go to.
** The session is the userdata the Lua API hands out; while active it is
** anchored in the registry and listed in the node's trace state.
*/
#ifndef OTP_TRACE_SESSION_H
#define OTP_TRACE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "core/pid.h"

#define OTP_TRACE_SESSION_MT "otp.trace.session"
#define OTP_TRACE_MAX_SESSIONS 64

typedef struct otp_trace_session {
  int active;
  const char *stopped_because;   /* NULL, "stopped", "owner_exit" */
  uint32_t kinds;                /* bit per otp_trace_kind */
  int pids_mode;                 /* 0 all, 1 new, 2 listed */
  uint64_t first_new_serial;     /* pids_mode new: serials from here */
  int pids_ref;                  /* listed: set of pids */
  int ring_ref, anchor_ref;
  size_t max_events, head, count;
  uint64_t dropped;
  otp_pid owner, to;
} otp_trace_session;

typedef struct otp_trace_state {
  otp_trace_session *sessions[OTP_TRACE_MAX_SESSIONS];
  int nsessions;
  uint64_t seq;
} otp_trace_state;

struct otp_node;
struct lua_State;

/* Activates s (already filled in) and recomputes the node's trace mask. */
int otp_trace_attach(struct otp_node *node, otp_trace_session *s);
/* Deactivates s with the given reason. */
void otp_trace_detach(struct otp_node *node, otp_trace_session *s, const char *why);

#endif
