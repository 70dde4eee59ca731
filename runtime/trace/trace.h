/*
** Layer 0: the one trace point every runtime event goes through.
** With no session attached, otp_trace_on() is a single predictable branch on
** a bit mask in the node.
*/
#ifndef OTP_TRACE_H
#define OTP_TRACE_H

#include <stdint.h>
#include "core/pid.h"

struct otp_node;

typedef enum {
  OTP_EV_SPAWN, OTP_EV_EXIT, OTP_EV_LINK, OTP_EV_UNLINK, OTP_EV_MONITOR,
  OTP_EV_DEMONITOR, OTP_EV_DOWN, OTP_EV_SEND, OTP_EV_SEND_TO_DEAD,
  OTP_EV_RECEIVE, OTP_EV_REGISTER, OTP_EV_UNREGISTER, OTP_EV_SCHED_IN,
  OTP_EV_SCHED_OUT, OTP_EV_TIMER, OTP_EV_SUP_START_CHILD, OTP_EV_SUP_RESTART,
  OTP_EV_SUP_TERMINATE_CHILD, OTP_EV_SUP_SHUTDOWN, OTP_EV_SANDBOX_CREATE,
  OTP_EV_SANDBOX_DESTROY, OTP_EV_SANDBOX_RESTART, OTP_EV_LIMIT_KILLED,
  OTP_EV_FAULT_DROP, OTP_EV_FAULT_DELAY, OTP_EV_FAULT_CRASH, OTP_EV_FAULT_SLOW,
  OTP_EV_FAULT_KILL,
  OTP_EV__COUNT
} otp_trace_kind;

/* What an event is about; unused fields stay 0. Stack indices (msg, reason,
** name) refer to the Lua stack of node->L's running thread at emit time. */
typedef struct otp_trace_info {
  otp_pid pid;        /* the process the event belongs to */
  otp_pid other;      /* sender/receiver, link or monitor peer, parent */
  uint64_t ref;       /* monitor or timer reference */
  struct lua_State *L;/* thread whose stack holds the values below */
  int msg, reason, name; /* stack indices, 0 when absent */
  const char *text;   /* the limit that was hit (a literal: records keep it) */
  /* supervisor events */
  int id;             /* stack index of the child's id, 0 when absent */
  const char *strategy;  /* the supervisor's strategy, or NULL */
  otp_pid old_pid, new_pid;  /* the child's pid before and after a restart */
} otp_trace_info;

const char *otp_trace_kind_name(otp_trace_kind kind);
int otp_trace_kind_from_name(const char *name);

#ifdef OTP_NO_TRACE
#define otp_trace_on(node, kind) 0
#else
#define otp_trace_on(node, kind) \
  __builtin_expect(((node)->trace_mask >> (kind)) & 1u, 0)
#endif

/* Records an event in every session that wants it. Call only when
** otp_trace_on(node, kind) is true. */
void otp_trace_emit(struct otp_node *node, otp_trace_kind kind,
                    const otp_trace_info *info);

/* Drops every session (node teardown). */
void otp_trace_close(struct otp_node *node);
/* A process exited: end the sessions it owned. */
void otp_trace_owner_exit(struct otp_node *node, otp_pid pid);

#endif
