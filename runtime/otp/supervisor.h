/*
** The supervisor (OTP_RULES.md part C) as a sans-IO state machine.
**
** It owns the supervisor's state: the child records in start order, the
** strategy, the restart intensity and the restart times. It never calls a
** start function, sends a signal or waits: it tells its driver (the
** supervisor process, lua/otp/supervisor.lua through runtime/lua/
** lsupervisor.c) what to do next, one operation at a time, and is told what
** happened:
**
**   events in                          operations out (otp_sup_next)
**   otp_sup_begin (init)               START key      -> otp_sup_started
**   otp_sup_exit_signal (an EXIT)      TERMINATE pid  -> otp_sup_terminated
**   otp_sup_retry (the retry message)  RETRY key      (send yourself a retry)
**   otp_sup_call_* (API calls)         REPLY code     (answer the call)
**                                      INIT_OK, EXIT code
**                                      REPORT, EVENT, FORGET (notes)
**
** An event in starts a job (init, a restart, a shutdown, an API call); the
** driver calls otp_sup_next until it returns OTP_SUP_OP_NONE, answering each
** START and TERMINATE before asking again, and only then handles its next
** message. Values the machine cannot hold (ids, start functions, exit
** reasons) stay with the driver: operations name the child by key and say
** which of its values goes with them (otp_sup_value).
*/
#ifndef OTP_SUPERVISOR_H
#define OTP_SUPERVISOR_H

#include <stdint.h>
#include "core/pid.h"
#include "otp/childspec.h"
#include "otp/restarts.h"

/* Exit reasons, sorted the way the restart rules look at them (C5). */
typedef enum {
  OTP_REASON_NORMAL,          /* "normal" */
  OTP_REASON_SHUTDOWN,        /* "shutdown" */
  OTP_REASON_SHUTDOWN_TERM,   /* {"shutdown", _} */
  OTP_REASON_KILLED,          /* "killed" */
  OTP_REASON_OTHER
} otp_reason_kind;

typedef enum {
  OTP_CHILD_UNDEFINED,        /* not running: pid "undefined" */
  OTP_CHILD_RUNNING,
  OTP_CHILD_RESTARTING        /* a restart failed; a retry is on its way (C10) */
} otp_child_status;

typedef struct otp_sup_child {
  otp_child_spec spec;
  otp_pid pid;                /* RUNNING: its pid; RESTARTING: the pid it had, or 0 */
  uint8_t status;             /* otp_child_status */
  uint8_t removed;            /* dropped; compacted away when the job ends */
} otp_sup_child;

typedef enum {
  OTP_SUP_OP_NONE,            /* nothing to do: wait for the next message */
  OTP_SUP_OP_START,           /* call key's start function, answer otp_sup_started */
  OTP_SUP_OP_TERMINATE,       /* stop pid per shutdown (C12), answer otp_sup_terminated */
  OTP_SUP_OP_TERMINATE_ALL,   /* dynamic supervisor: stop the marked children in parallel
                                 (C13), answer otp_dynsup_terminated for each, then
                                 otp_dynsup_terminate_done */
  OTP_SUP_OP_RETRY,           /* send yourself a retry message for key (C10) */
  OTP_SUP_OP_REPLY,           /* answer the call being served: code is otp_sup_reply */
  OTP_SUP_OP_INIT_OK,         /* every child started: tell the starter */
  OTP_SUP_OP_EXIT,            /* exit: code is otp_sup_exit */
  OTP_SUP_OP_REPORT,          /* note: a supervisor report; code is otp_sup_report */
  OTP_SUP_OP_EVENT,           /* note: a trace event; code is an otp_trace_kind */
  OTP_SUP_OP_FORGET           /* note: child key is gone for good */
} otp_sup_op_kind;

typedef enum {
  OTP_SUP_REPLY_OK,           /* true */
  OTP_SUP_REPLY_PID,          /* pid */
  OTP_SUP_REPLY_IGNORE,       /* the start function said ignore */
  OTP_SUP_REPLY_START_ERROR,  /* start_child: {R, ChildSpec}, R = key's START value */
  OTP_SUP_REPLY_ERROR,        /* restart_child: R, key's START value */
  OTP_SUP_REPLY_NOT_FOUND,
  OTP_SUP_REPLY_RUNNING,
  OTP_SUP_REPLY_RESTARTING,
  OTP_SUP_REPLY_ALREADY_PRESENT,
  OTP_SUP_REPLY_ALREADY_STARTED, /* {already_started, pid} */
  OTP_SUP_REPLY_MAX_CHILDREN  /* dynamic supervisor: "max_children" */
} otp_sup_reply;

typedef enum {
  OTP_SUP_EXIT_SHUTDOWN,      /* "shutdown": intensity reached or auto shutdown */
  OTP_SUP_EXIT_STOP,          /* the STOP value: the parent's exit reason (C14), or why
                                 the supervisor was stopped (otp_sup_stop) */
  OTP_SUP_EXIT_START_FAILED   /* init failed: {shutdown, {failed_to_start_child, Id, R}}, R = key's START value */
} otp_sup_exit;

typedef enum {
  OTP_SUP_REPORT_CHILD_TERMINATED,  /* key (pid) exited abnormally, or a permanent one exited */
  OTP_SUP_REPORT_START_ERROR,       /* key's start function failed */
  OTP_SUP_REPORT_SHUTDOWN_ERROR,    /* terminating key ended with an unexpected reason */
  OTP_SUP_REPORT_MAX_INTENSITY      /* reached_max_restart_intensity: giving up */
} otp_sup_report;

/* Which of the child's values goes with an operation. */
typedef enum {
  OTP_SUP_VALUE_NONE,
  OTP_SUP_VALUE_EXIT,         /* the reason it exited with (from its EXIT) */
  OTP_SUP_VALUE_START,        /* what its start function returned when it failed */
  OTP_SUP_VALUE_TERM,         /* the reason it ended with when the supervisor stopped it */
  OTP_SUP_VALUE_STOP,         /* the supervisor's exit reason: from its parent, or otp_sup_stop */
  OTP_SUP_VALUE_TEXT          /* the string in text */
} otp_sup_value;

typedef struct otp_sup_op {
  otp_sup_op_kind kind;
  int code;                   /* see the op kinds */
  uint64_t key;               /* the child it is about, 0 if none */
  otp_pid pid;                /* TERMINATE: whom; REPLY/EVENT: the child's pid */
  otp_pid old_pid;            /* EVENT sup_restart / sup_shutdown: the pid that exited */
  int64_t shutdown;           /* TERMINATE: ms, OTP_SHUTDOWN_BRUTAL_KILL or _INFINITY */
  otp_sup_value value;
  const char *text;           /* OTP_SUP_VALUE_TEXT */
} otp_sup_op;

typedef struct otp_sup otp_sup;

/* A supervisor whose parent is `parent`; NULL if out of memory. Memory comes
** from fn (lua_Alloc's signature). */
otp_sup *otp_sup_new(const otp_sup_flags *flags, otp_pid parent, otp_realloc_fn fn, void *ud);
void otp_sup_free(otp_sup *s);

/* ---- init (C1, C2, C3) ---- */

/* Adds a child of the init spec, in start order. Returns 0, 1 if a child
** with that key is already there (duplicate_child_name: the binding maps ids
** to keys), -1 if out of memory. */
int otp_sup_add_child(otp_sup *s, const otp_child_spec *spec);
/* Starts the init job: every child in order, then INIT_OK or EXIT. */
void otp_sup_begin(otp_sup *s);

/* ---- driving ---- */

/* The next operation (see the top of this file). */
void otp_sup_next(otp_sup *s, otp_sup_op *op);

enum { OTP_START_OK, OTP_START_IGNORE, OTP_START_ERROR };
/* The START asked for ended: OTP_START_OK with the new pid, OTP_START_IGNORE,
** or OTP_START_ERROR (the binding keeps the reason as the child's START value). */
void otp_sup_started(otp_sup *s, int result, otp_pid pid);
/* The TERMINATE asked for ended: the child is dead with a reason of this kind
** (the binding keeps the reason as the child's TERM value). */
void otp_sup_terminated(otp_sup *s, otp_reason_kind reason);

/* ---- events ---- */

enum { OTP_SIGNAL_IGNORED, OTP_SIGNAL_PARENT, OTP_SIGNAL_CHILD };
/* An {"EXIT", from, reason} arrived at now_s (monotonic seconds). Returns
** whom it came from: the parent (the supervisor shuts down: the binding
** keeps the reason as the STOP value), a running child (*key is set: the
** binding keeps the reason as its EXIT value; restart rules C5-C11, C16), or
** anyone else (ignored, C14). */
int otp_sup_exit_signal(otp_sup *s, otp_pid from, otp_reason_kind reason, int64_t now_s,
                        uint64_t *key);
/* The supervisor must stop (a callback crashed: an unknown call or cast):
** terminate the children, newest first, then EXIT with the STOP value. */
void otp_sup_stop(otp_sup *s);
/* The retry message for key arrived (C10): restart it if it is still
** restarting. */
void otp_sup_retry(otp_sup *s, uint64_t key, int64_t now_s);

/* ---- API calls (C15); each ends with a REPLY ---- */

/* start_child with a spec already checked. existing is the key of a child
** with the same id, or 0. Returns -1 (and does nothing) if out of memory. */
int otp_sup_call_start_child(otp_sup *s, const otp_child_spec *spec, uint64_t existing);
void otp_sup_call_terminate_child(otp_sup *s, uint64_t key);
void otp_sup_call_restart_child(otp_sup *s, uint64_t key);
void otp_sup_call_delete_child(otp_sup *s, uint64_t key);

/* ---- reading the state ---- */

int otp_sup_count(const otp_sup *s);
/* The i-th child in start order (0 = the oldest). */
const otp_sup_child *otp_sup_child_at(const otp_sup *s, int i);
const otp_sup_child *otp_sup_find(const otp_sup *s, uint64_t key);
const otp_sup_flags *otp_sup_get_flags(const otp_sup *s);
/* Changes strategy and intensity/period (otplab's set_strategy extension). */
void otp_sup_set_flags(otp_sup *s, const otp_sup_flags *flags);
/* Restarts counted in the current period at now_s. */
int otp_sup_restarts_used(const otp_sup *s, int64_t now_s);
int otp_sup_busy(const otp_sup *s);   /* a job is under way */

typedef struct otp_sup_counts {
  int specs, active, supervisors, workers;
} otp_sup_counts;
/* count_children: active counts children whose pid is alive now (C4). */
otp_sup_counts otp_sup_count_children(const otp_sup *s, int (*alive)(void *ud, otp_pid pid),
                                      void *ud);

/* Sorts an exit reason given as: is it the string "normal"/"shutdown"/
** "killed", or a {"shutdown", _} pair. For bindings. */
otp_reason_kind otp_reason_kind_of(const char *s, int is_shutdown_pair);

#endif
