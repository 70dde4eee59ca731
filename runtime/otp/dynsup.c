/*
** The dynamic supervisor state machine (see dynsup.h), following Elixir's
** DynamicSupervisor: handle_start_child, maybe_restart_child, restart_child
** (with {"$gen_restart", pid} retries), terminate_children (all marked
** children at once).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/idmap.h"
#include "otp/dynsup.h"
#include "otp/outbox.h"
#include "trace/trace.h"

typedef enum { JOB_NONE, JOB_START_CHILD, JOB_TERMINATE_CHILD, JOB_RESTART, JOB_SHUTDOWN } job_kind;

struct otp_dynsup {
  otp_dynsup_flags flags;
  otp_pid parent;
  otp_dynsup_child *children;
  int n, cap;
  int nremoved;              /* children marked removed, not yet compacted away */
  int nmarked;               /* children marked to stop (otp_dynsup_child.marked) */
  otp_idmap by_pid;          /* pid -> index + 1 of each child not removed */
  otp_restarts restarts;
  otp_realloc_fn realloc;
  void *ud;

  otp_outbox out;            /* operations not yet handed out */

  job_kind job;
  int stage;                 /* 0: the job's operation is still to hand out */
  int awaiting;
  int subject;               /* the child the job is about */
  otp_pid subject_old;       /* JOB_RESTART: the pid it had */
  otp_sup_value subject_value;
  int exit_code;
};

static int reserve(otp_dynsup *d, int n) {
  if (n > d->cap) {
    int cap = d->cap ? d->cap * 2 : 8;
    while (cap < n) cap *= 2;
    otp_dynsup_child *c = d->realloc(d->ud, d->children, (size_t)d->cap * sizeof *c,
                                     (size_t)cap * sizeof *c);
    if (!c) return -1;
    d->children = c;
    d->cap = cap;
  }
  return otp_outbox_reserve(&d->out, 2 * n + 32, d->realloc, d->ud);
}

otp_dynsup *otp_dynsup_new(const otp_dynsup_flags *flags, otp_pid parent, otp_realloc_fn fn,
                           void *ud) {
  otp_dynsup *d = fn(ud, NULL, 0, sizeof *d);
  if (!d) return NULL;
  memset(d, 0, sizeof *d);
  d->flags = *flags;
  d->parent = parent;
  d->realloc = fn;
  d->ud = ud;
  otp_restarts_init(&d->restarts, fn, ud);
  if (reserve(d, 4) != 0) {
    otp_dynsup_free(d);
    return NULL;
  }
  return d;
}

void otp_dynsup_free(otp_dynsup *d) {
  if (!d) return;
  otp_restarts_free(&d->restarts);
  otp_idmap_free(&d->by_pid);
  if (d->children) d->realloc(d->ud, d->children, (size_t)d->cap * sizeof *d->children, 0);
  otp_outbox_free(&d->out, d->realloc, d->ud);
  d->realloc(d->ud, d, sizeof *d, 0);
}

/* ---- operations out ---- */

static otp_sup_op *push(otp_dynsup *d, otp_sup_op_kind kind, int code, int i) {
  otp_sup_op *op = otp_outbox_push(&d->out, kind, code);   /* reserve() made room */
  if (i >= 0) {
    op->key = d->children[i].spec.key;
    op->pid = d->children[i].restarting ? OTP_PID_NONE : d->children[i].pid;
  }
  return op;
}

static void report(otp_dynsup *d, otp_sup_report what, int i, otp_sup_value v) {
  otp_sup_op *op = push(d, OTP_SUP_OP_REPORT, what, i);
  op->pid = d->children[i].pid;
  op->value = v;
}

static void reply(otp_dynsup *d, otp_sup_reply code, int i) {
  push(d, OTP_SUP_OP_REPLY, code, i);
}

/* ---- children ---- */

/* pid's entry in by_pid (a pid is never 0; one pid is one child) */
static void index_put(otp_dynsup *d, int i) {
  otp_pid pid = d->children[i].pid;
  if (!pid) return;
  otp_idmap_remove(&d->by_pid, pid);
  if (otp_idmap_put(&d->by_pid, pid, (void *)(uintptr_t)(i + 1)) < 0) abort();
}

int otp_dynsup_find(const otp_dynsup *d, otp_pid pid) {
  void *v = pid ? otp_idmap_get(&d->by_pid, pid) : NULL;
  return v ? (int)(uintptr_t)v - 1 : -1;
}

static int find_pid(const otp_dynsup *d, otp_pid pid, int restarting) {
  int i = otp_dynsup_find(d, pid);
  if (i < 0) return -1;
  const otp_dynsup_child *c = &d->children[i];
  return restarting < 0 || c->restarting == restarting ? i : -1;
}

static int live_count(const otp_dynsup *d) { return d->n - d->nremoved; }

/* c goes at a later compact() */
static void mark_removed(otp_dynsup *d, otp_dynsup_child *c) {
  if (c->removed) return;
  c->removed = 1;
  d->nremoved++;
  if (c->pid && otp_dynsup_find(d, c->pid) == (int)(c - d->children))
    otp_idmap_remove(&d->by_pid, c->pid);
}

/* Drops the removed entries (a FORGET for each child that went, not for
** the old place of a restarted one). O(children): beyond SMALL entries,
** only once they are half of them; meanwhile readers skip the removed. */
#define SMALL 64
static void compact(otp_dynsup *d) {
  if (d->nremoved == 0 || (d->n > SMALL && 2 * d->nremoved < d->n)) return;
  int k = 0;
  for (int i = 0; i < d->n; i++) {
    otp_dynsup_child *c = &d->children[i];
    if (!c->removed) d->children[k++] = *c;
    else if (!c->moved) push(d, OTP_SUP_OP_FORGET, 0, -1)->key = c->spec.key;
  }
  d->n = k;
  d->nremoved = 0;
  for (int i = 0; i < d->n; i++) index_put(d, i);
}

static void begin_job(otp_dynsup *d, job_kind job, int subject) {
  d->job = job;
  d->stage = 0;
  d->awaiting = 0;
  d->subject = subject;
}

static void end_job(otp_dynsup *d) {
  d->job = JOB_NONE;
  d->awaiting = 0;
  compact(d);
}

/* Marks every child that is not restarting. */
static void mark_all(otp_dynsup *d) {
  d->nmarked = 0;
  for (int i = 0; i < d->n; i++) {
    otp_dynsup_child *c = &d->children[i];
    c->marked = !c->removed && !c->restarting;
    d->nmarked += c->marked;
  }
}

/* No child stays marked once its job has them all reported. One child's
** stop (terminate_child) marks that child alone and clears it alone, so a
** supervisor of many children stops one in O(1). */
static void unmark_all(otp_dynsup *d) {
  if (d->nmarked == 0) return;
  if (d->job == JOB_TERMINATE_CHILD) d->children[d->subject].marked = 0;
  else
    for (int i = 0; i < d->n; i++) d->children[i].marked = 0;
  d->nmarked = 0;
}

static void shutdown(otp_dynsup *d, int exit_code, int cause, otp_pid old, const char *why) {
  if (cause >= 0) {
    otp_sup_op *op = push(d, OTP_SUP_OP_EVENT, OTP_EV_SUP_SHUTDOWN, cause);
    op->pid = OTP_PID_NONE;
    op->old_pid = old;
    op->value = OTP_SUP_VALUE_TEXT;
    op->text = why;
  }
  begin_job(d, JOB_SHUTDOWN, cause);
  d->exit_code = exit_code;
  mark_all(d);
}

/* Elixir's restart_child/3: count it, then start the child again. */
static void restart(otp_dynsup *d, int i, int64_t now_s, otp_sup_value why) {
  otp_dynsup_child *c = &d->children[i];
  int ok = otp_restarts_add(&d->restarts, now_s, d->flags.intensity, d->flags.period);
  if (ok <= 0) {             /* one report, saying the budget ran out (see supervisor.c) */
    report(d, OTP_SUP_REPORT_MAX_INTENSITY, i, why);
    mark_removed(d, c);
    shutdown(d, OTP_SUP_EXIT_SHUTDOWN, i, c->pid, "reached_max_restart_intensity");
    return;
  }
  if (why == OTP_SUP_VALUE_EXIT) report(d, OTP_SUP_REPORT_CHILD_TERMINATED, i, why);
  begin_job(d, JOB_RESTART, i);
  d->subject_old = c->pid;
  d->subject_value = why;
}

/* ---- the engine ---- */

static void restart_event(otp_dynsup *d, otp_pid new_pid) {
  otp_sup_op *op = push(d, OTP_SUP_OP_EVENT, OTP_EV_SUP_RESTART, d->subject);
  op->pid = new_pid;
  op->old_pid = d->subject_old;
  op->value = d->subject_value;
}

static void advance(otp_dynsup *d) {
  int i = d->subject;
  switch (d->job) {
    case JOB_START_CHILD:
    case JOB_RESTART:
      push(d, OTP_SUP_OP_START, 0, i);
      d->awaiting = 1;
      return;
    case JOB_TERMINATE_CHILD:
    case JOB_SHUTDOWN:
      if (d->stage == 0) {
        d->stage = 1;
        if (d->nmarked) {
          push(d, OTP_SUP_OP_TERMINATE_ALL, 0, -1);
          d->awaiting = 1;
          return;
        }
      }
      if (d->job == JOB_TERMINATE_CHILD) {
        mark_removed(d, &d->children[i]);
        reply(d, OTP_SUP_REPLY_OK, -1);
      } else {
        push(d, OTP_SUP_OP_EXIT, d->exit_code, -1)->value =
            d->exit_code == OTP_SUP_EXIT_STOP ? OTP_SUP_VALUE_STOP : OTP_SUP_VALUE_NONE;
      }
      end_job(d);
      return;
    case JOB_NONE:
      return;
  }
}

void otp_dynsup_next(otp_dynsup *d, otp_sup_op *op) {
  for (;;) {
    if (otp_outbox_pop(&d->out, op)) return;
    if (d->awaiting || d->job == JOB_NONE) {
      memset(op, 0, sizeof *op);
      op->kind = OTP_SUP_OP_NONE;
      return;
    }
    advance(d);
  }
}

/* A restarted child (entry i) now runs as pid: it leaves its place, which
** is removed, and comes last. Returns its new index. Without room for one
** more entry the others move up instead (O(children), nothing allocated). */
static int move_last(otp_dynsup *d, int i, otp_pid pid) {
  int room = reserve(d, d->n + 1) == 0;
  otp_dynsup_child again = d->children[i];
  again.pid = pid;
  again.restarting = 0;
  if (room) {
    mark_removed(d, &d->children[i]);
    d->children[i].moved = 1;
    i = d->n++;
  } else {
    otp_idmap_remove(&d->by_pid, d->children[i].pid);
    memmove(&d->children[i], &d->children[i + 1], (size_t)(d->n - i - 1) * sizeof again);
    i = d->n - 1;
    for (int j = 0; j < i; j++) index_put(d, j);
  }
  d->children[i] = again;
  index_put(d, i);
  return i;
}

void otp_dynsup_started(otp_dynsup *d, int result, otp_pid pid) {
  if (!d->awaiting || (d->job != JOB_START_CHILD && d->job != JOB_RESTART)) return;
  d->awaiting = 0;
  int i = d->subject;
  otp_dynsup_child *c = &d->children[i];
  if (result == OTP_START_OK) {
    if (d->job == JOB_RESTART) {         /* the old entry goes, a new one comes last */
      i = move_last(d, i, pid);
      d->subject = i;
      push(d, OTP_SUP_OP_EVENT, OTP_EV_SUP_START_CHILD, i);
      restart_event(d, pid);
    } else {
      c->pid = pid;
      index_put(d, i);
      push(d, OTP_SUP_OP_EVENT, OTP_EV_SUP_START_CHILD, i);
      reply(d, OTP_SUP_REPLY_PID, i);
    }
    end_job(d);
    return;
  }
  otp_sup_op *ev = push(d, OTP_SUP_OP_EVENT, OTP_EV_SUP_START_CHILD, i);
  ev->pid = OTP_PID_NONE;
  ev->value = OTP_SUP_VALUE_START;
  if (d->job == JOB_START_CHILD) {
    reply(d, result == OTP_START_IGNORE ? OTP_SUP_REPLY_IGNORE : OTP_SUP_REPLY_ERROR, i);
    mark_removed(d, c);
  } else if (result == OTP_START_IGNORE) {
    restart_event(d, OTP_PID_NONE);
    mark_removed(d, c);
  } else {
    report(d, OTP_SUP_REPORT_START_ERROR, i, OTP_SUP_VALUE_START);
    c->restarting = 1;
    restart_event(d, OTP_PID_NONE);
    push(d, OTP_SUP_OP_RETRY, 0, i)->pid = c->pid;   /* {"$gen_restart", old pid} */
  }
  end_job(d);
}

/* The reasons Elixir's wait_child / monitor_children take as a clean end. */
static int clean_end(const otp_child_spec *spec, otp_reason_kind r, int early) {
  if (r == OTP_REASON_NORMAL && spec->restart != OTP_RESTART_PERMANENT) return 1;
  if (early) return 0;
  if (spec->shutdown == OTP_SHUTDOWN_BRUTAL_KILL) return r == OTP_REASON_KILLED;
  return r == OTP_REASON_SHUTDOWN || r == OTP_REASON_SHUTDOWN_TERM;
}

void otp_dynsup_terminated(otp_dynsup *d, otp_pid pid, otp_reason_kind reason, int early) {
  if (!d->awaiting) return;
  int i = otp_dynsup_find(d, pid);
  if (i < 0 || !d->children[i].marked) return;
  otp_dynsup_child *c = &d->children[i];
  c->marked = 0;
  d->nmarked--;
  push(d, OTP_SUP_OP_EVENT, OTP_EV_SUP_TERMINATE_CHILD, i)->value = OTP_SUP_VALUE_TERM;
  if (!clean_end(&c->spec, reason, early))
    report(d, OTP_SUP_REPORT_SHUTDOWN_ERROR, i, OTP_SUP_VALUE_TERM);
}

void otp_dynsup_terminate_done(otp_dynsup *d) {
  if (!d->awaiting || (d->job != JOB_TERMINATE_CHILD && d->job != JOB_SHUTDOWN)) return;
  d->awaiting = 0;
  unmark_all(d);
}

/* ---- events in ---- */

int otp_dynsup_exit_signal(otp_dynsup *d, otp_pid from, otp_reason_kind reason, int64_t now_s,
                           uint64_t *key) {
  if (d->job != JOB_NONE) return OTP_SIGNAL_IGNORED;
  if (from == d->parent) {
    shutdown(d, OTP_SUP_EXIT_STOP, -1, OTP_PID_NONE, NULL);
    return OTP_SIGNAL_PARENT;
  }
  int i = find_pid(d, from, 0);
  if (i < 0) return OTP_SIGNAL_IGNORED;
  otp_dynsup_child *c = &d->children[i];
  if (key) *key = c->spec.key;
  int clean = reason == OTP_REASON_NORMAL || reason == OTP_REASON_SHUTDOWN ||
              reason == OTP_REASON_SHUTDOWN_TERM;
  if (c->spec.restart == OTP_RESTART_PERMANENT ||
      (c->spec.restart == OTP_RESTART_TRANSIENT && !clean)) {
    restart(d, i, now_s, OTP_SUP_VALUE_EXIT);
  } else {
    if (!clean) report(d, OTP_SUP_REPORT_CHILD_TERMINATED, i, OTP_SUP_VALUE_EXIT);
    mark_removed(d, c);
  }
  if (d->job == JOB_NONE) compact(d);
  return OTP_SIGNAL_CHILD;
}

void otp_dynsup_stop(otp_dynsup *d) {
  if (d->job == JOB_NONE) shutdown(d, OTP_SUP_EXIT_STOP, -1, OTP_PID_NONE, NULL);
}

void otp_dynsup_retry(otp_dynsup *d, otp_pid pid, int64_t now_s) {
  if (d->job != JOB_NONE) return;
  int i = find_pid(d, pid, 1);
  if (i < 0) return;
  restart(d, i, now_s, OTP_SUP_VALUE_START);
  if (d->job == JOB_NONE) compact(d);
}

int otp_dynsup_call_start_child(otp_dynsup *d, const otp_child_spec *spec) {
  if (d->flags.max_children != OTP_DYNSUP_INFINITY && live_count(d) >= d->flags.max_children) {
    reply(d, OTP_SUP_REPLY_MAX_CHILDREN, -1);
    push(d, OTP_SUP_OP_FORGET, 0, -1)->key = spec->key;   /* never became a child */
    return 0;
  }
  if (reserve(d, d->n + 1) != 0) return -1;
  otp_dynsup_child *c = &d->children[d->n++];
  memset(c, 0, sizeof *c);
  c->spec = *spec;
  begin_job(d, JOB_START_CHILD, d->n - 1);
  return 0;
}

void otp_dynsup_call_terminate_child(otp_dynsup *d, otp_pid pid) {
  int i = find_pid(d, pid, -1);
  if (i < 0) {
    reply(d, OTP_SUP_REPLY_NOT_FOUND, -1);
    return;
  }
  begin_job(d, JOB_TERMINATE_CHILD, i);
  d->children[i].marked = !d->children[i].restarting;
  d->nmarked = d->children[i].marked;
}

/* ---- reading ---- */

int otp_dynsup_count(const otp_dynsup *d) { return d->n; }

const otp_dynsup_child *otp_dynsup_child_at(const otp_dynsup *d, int i) {
  return i >= 0 && i < d->n ? &d->children[i] : NULL;
}

int otp_dynsup_next_marked(const otp_dynsup *d, int after) {
  if (d->nmarked == 0) return -1;
  if (d->job == JOB_TERMINATE_CHILD)       /* the subject alone */
    return after < d->subject && d->children[d->subject].marked ? d->subject : -1;
  for (int i = after + 1; i < d->n; i++)
    if (d->children[i].marked) return i;
  return -1;
}

const otp_dynsup_flags *otp_dynsup_get_flags(const otp_dynsup *d) { return &d->flags; }

int otp_dynsup_restarts_used(const otp_dynsup *d, int64_t now_s) {
  return otp_restarts_used(&d->restarts, now_s, d->flags.period);
}

otp_sup_counts otp_dynsup_count_children(const otp_dynsup *d) {
  otp_sup_counts n = {0, 0, 0, 0};
  for (int i = 0; i < d->n; i++) {
    const otp_dynsup_child *c = &d->children[i];
    if (c->removed) continue;
    n.specs++;
    if (c->spec.type == OTP_CHILD_WORKER) n.workers++;
    else n.supervisors++;
    if (!c->restarting) n.active++;
  }
  return n;
}
