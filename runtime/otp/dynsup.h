/*
** The dynamic supervisor (Elixir's DynamicSupervisor) as a sans-IO state
** machine, driven like otp_sup (supervisor.h) with the same operations:
** START, TERMINATE_ALL, RETRY, REPLY, EXIT and the notes.
**
** Its children have no ids: they are known by pid (a child whose restart
** failed is still known by the pid it had, as in Elixir's children map).
** Every child is one_for_one; there is no init spec: children come from
** start_child. On shutdown and on terminate_child the children to stop are
** marked and stopped in parallel, under one timer per shutdown value (C13).
*/
#ifndef OTP_DYNSUP_H
#define OTP_DYNSUP_H

#include <stdint.h>
#include "otp/supervisor.h"

#define OTP_DYNSUP_INFINITY (-1)    /* max_children without a limit */

typedef struct otp_dynsup_flags {
  int intensity, period;
  int64_t max_children;             /* or OTP_DYNSUP_INFINITY */
} otp_dynsup_flags;

typedef struct otp_dynsup_child {
  otp_child_spec spec;              /* spec.key names its start function in the binding */
  otp_pid pid;                      /* its pid; restarting: the pid it had */
  uint8_t restarting;
  uint8_t marked;                   /* to be stopped by the TERMINATE_ALL under way */
  uint8_t removed;                  /* gone, its entry not yet compacted away */
  uint8_t moved;                    /* removed because a restart moved it last */
} otp_dynsup_child;

typedef struct otp_dynsup otp_dynsup;

otp_dynsup *otp_dynsup_new(const otp_dynsup_flags *flags, otp_pid parent, otp_realloc_fn fn,
                           void *ud);
void otp_dynsup_free(otp_dynsup *d);

void otp_dynsup_next(otp_dynsup *d, otp_sup_op *op);
void otp_dynsup_started(otp_dynsup *d, int result, otp_pid pid);
/* One marked child is dead with a reason of this kind; early: it was already
** dead (its EXIT was waiting) when the supervisor went to stop it, so no exit
** signal was sent (Elixir's monitor_child). The binding keeps the reason as
** the child's TERM value. */
void otp_dynsup_terminated(otp_dynsup *d, otp_pid pid, otp_reason_kind reason, int early);
/* Every marked child has been reported. */
void otp_dynsup_terminate_done(otp_dynsup *d);

/* As otp_sup_exit_signal. */
int otp_dynsup_exit_signal(otp_dynsup *d, otp_pid from, otp_reason_kind reason, int64_t now_s,
                           uint64_t *key);
/* As otp_sup_stop: stop every child, then EXIT with the STOP value. */
void otp_dynsup_stop(otp_dynsup *d);
/* The retry message {"$gen_restart", pid} arrived. */
void otp_dynsup_retry(otp_dynsup *d, otp_pid pid, int64_t now_s);

/* start_child with a checked spec; -1 (and nothing done) if out of memory. */
int otp_dynsup_call_start_child(otp_dynsup *d, const otp_child_spec *spec);
void otp_dynsup_call_terminate_child(otp_dynsup *d, otp_pid pid);

/* Entries, removed ones among them until they are compacted away. */
int otp_dynsup_count(const otp_dynsup *d);
/* The i-th child, oldest first (a restarted child counts as new); readers
** skip the removed. */
const otp_dynsup_child *otp_dynsup_child_at(const otp_dynsup *d, int i);
/* The index of the child (not removed) whose pid is pid, or -1. */
int otp_dynsup_find(const otp_dynsup *d, otp_pid pid);
/* The first child after index `after` (-1: from the start) marked to stop
** by the TERMINATE_ALL under way, or -1. */
int otp_dynsup_next_marked(const otp_dynsup *d, int after);
const otp_dynsup_flags *otp_dynsup_get_flags(const otp_dynsup *d);
int otp_dynsup_restarts_used(const otp_dynsup *d, int64_t now_s);
otp_sup_counts otp_dynsup_count_children(const otp_dynsup *d);

#endif
