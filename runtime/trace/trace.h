/*
** Layer 0: the trace point every runtime event goes through.
**
** This is a leaf: it knows event kinds and what an event carries, and
** nothing of the runtime that emits them or of the sessions that record
** them. The node holds the point's state (a bit mask of wanted kinds and
** the operations of whoever records, see otp_trace_ops); the macros below
** are expanded where the node is known. With no session attached,
** otp_trace_on() is one predictable branch on the mask.
*/
#ifndef OTP_TRACE_H
#define OTP_TRACE_H

#include <stdint.h>

struct otp_node;
struct lua_State;

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

/* What an event is about; unused fields stay 0. Pids are otp_pid values.
** Stack indices (msg, reason, name, id) refer to L's stack at emit time. */
typedef struct otp_trace_info {
  uint64_t pid;       /* the process the event belongs to */
  uint64_t other;     /* sender/receiver, link or monitor peer, parent */
  uint64_t ref;       /* monitor or timer reference */
  struct lua_State *L;/* thread whose stack holds the values below */
  int msg, reason, name; /* stack indices, 0 when absent */
  const char *text;   /* the limit that was hit (a literal: records keep it) */
  /* supervisor events */
  int id;             /* stack index of the child's id, 0 when absent */
  const char *strategy;  /* the supervisor's strategy, or NULL */
  uint64_t old_pid, new_pid;  /* the child's pid before and after a restart */
} otp_trace_info;

/* What the recorder above the runtime does at the point (tracer/session.c). */
typedef struct otp_trace_ops {
  /* records an event in every session that wants it */
  void (*emit)(struct otp_node *node, otp_trace_kind kind, const otp_trace_info *info);
  /* a process exited (sessions it owned end) */
  void (*process_exit)(struct otp_node *node, uint64_t pid);
  /* node teardown: drop every session */
  void (*close)(struct otp_node *node);
} otp_trace_ops;

const char *otp_trace_kind_name(otp_trace_kind kind);
int otp_trace_kind_from_name(const char *name);

#ifdef OTP_NO_TRACE
#define otp_trace_on(node, kind) 0
#else
#define otp_trace_on(node, kind) \
  __builtin_expect(((node)->trace_mask >> (kind)) & 1u, 0)
#endif

/* Records an event. Call only when otp_trace_on(node, kind) is true: a kind
** is in the mask only while a recorder has attached its operations. */
#define otp_trace_emit(node, kind, info) ((node)->trace_ops->emit((node), (kind), (info)))

/* A process exited; node teardown. Nothing happens if nobody records. */
#define otp_trace_process_exit(node, pid) \
  ((node)->trace_ops ? (node)->trace_ops->process_exit((node), (pid)) : (void)0)
#define otp_trace_node_close(node) \
  ((node)->trace_ops ? (node)->trace_ops->close(node) : (void)0)

#endif
