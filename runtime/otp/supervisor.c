/*
** The supervisor state machine (see supervisor.h), following OTP's
** supervisor.erl step by step:
**
**   init_children / start_children   -> JOB_INIT, JOB_INIT_ABORT (C1-C3)
**   restart_child / do_restart        -> otp_sup_exit_signal (C5, C16)
**   restart/2 + restart/3             -> restart(): JOB_RESTART (C6-C10)
**   terminate_children                -> JOB_SHUTDOWN (C13, C14, C18)
**   handle_call(start_child ...)      -> JOB_START_CHILD ... (C15)
**
** A job is a plan of steps over child indices (terminate child i, start
** child i), run one step per answer. Children leave the array only when a
** job is over (a removed child is marked, then compacted away), so the
** indices in a plan stay valid.
**
** Children are kept in start order (OTP keeps its id list newest first;
** terminate_children walks it newest first and start_children oldest first:
** the same orders as walking this array backwards, then forwards).
*/
#include <string.h>
#include "otp/supervisor.h"
#include "otp/outbox.h"
#include "trace/trace.h"

typedef enum { STEP_TERM, STEP_START } step_kind;

typedef struct step {
  uint8_t kind;
  int child;
} step;

typedef enum {
  JOB_NONE, JOB_INIT, JOB_INIT_ABORT, JOB_RESTART, JOB_SHUTDOWN,
  JOB_START_CHILD, JOB_TERMINATE_CHILD, JOB_RESTART_CHILD
} job_kind;

struct otp_sup {
  otp_sup_flags flags;
  otp_pid parent;
  otp_sup_child *children;
  int n, cap;
  otp_restarts restarts;
  otp_realloc_fn realloc;
  void *ud;

  otp_outbox out;            /* operations not yet handed out */

  job_kind job;
  step *plan;
  int nplan, plancap, pc;
  int awaiting;              /* plan[pc] was handed out; its answer is due */
  int subject;               /* the child the job is about */
  otp_pid subject_old;       /* JOB_RESTART: the pid it had */
  otp_sup_value subject_value; /* JOB_RESTART: why (its EXIT, or its START for a retry) */
  int exit_code;             /* JOB_SHUTDOWN: the otp_sup_exit to end with */
};

/* ---- memory ---- */

static void *grow(otp_sup *s, void *p, int *cap, int need, size_t size) {
  if (need <= *cap) return p;
  int ncap = *cap ? *cap : 8;
  while (ncap < need) ncap *= 2;
  void *np = s->realloc(s->ud, p, (size_t)*cap * size, (size_t)ncap * size);
  if (np) *cap = ncap;
  return np;
}

/* Room for n children, their plans and their operations, so that running a
** job never allocates. */
static int reserve(otp_sup *s, int n) {
  otp_sup_child *c = grow(s, s->children, &s->cap, n, sizeof *c);
  if (!c) return -1;
  s->children = c;
  step *p = grow(s, s->plan, &s->plancap, 2 * n + 4, sizeof *p);
  if (!p) return -1;
  s->plan = p;
  return otp_outbox_reserve(&s->out, 2 * n + 32, s->realloc, s->ud);
}

otp_sup *otp_sup_new(const otp_sup_flags *flags, otp_pid parent, otp_realloc_fn fn, void *ud) {
  otp_sup *s = fn(ud, NULL, 0, sizeof *s);
  if (!s) return NULL;
  memset(s, 0, sizeof *s);
  s->flags = *flags;
  s->parent = parent;
  s->realloc = fn;
  s->ud = ud;
  otp_restarts_init(&s->restarts, fn, ud);
  if (reserve(s, 4) != 0) {
    otp_sup_free(s);
    return NULL;
  }
  return s;
}

void otp_sup_free(otp_sup *s) {
  if (!s) return;
  otp_restarts_free(&s->restarts);
  if (s->children) s->realloc(s->ud, s->children, (size_t)s->cap * sizeof *s->children, 0);
  if (s->plan) s->realloc(s->ud, s->plan, (size_t)s->plancap * sizeof *s->plan, 0);
  otp_outbox_free(&s->out, s->realloc, s->ud);
  s->realloc(s->ud, s, sizeof *s, 0);
}

/* ---- operations out ---- */

static otp_sup_op *push(otp_sup *s, otp_sup_op_kind kind, int code) {
  return otp_outbox_push(&s->out, kind, code);   /* reserve() made room */
}

static otp_sup_op *push_about(otp_sup *s, otp_sup_op_kind kind, int code, int i) {
  otp_sup_op *op = push(s, kind, code);
  op->key = s->children[i].spec.key;
  op->pid = s->children[i].pid;
  return op;
}

static void report(otp_sup *s, otp_sup_report what, int i, otp_pid pid, otp_sup_value v) {
  otp_sup_op *op = push_about(s, OTP_SUP_OP_REPORT, what, i);
  op->pid = pid;
  op->value = v;
}

static void reply(otp_sup *s, otp_sup_reply code, int i) {
  otp_sup_op *op = push(s, OTP_SUP_OP_REPLY, code);
  if (i >= 0) {
    op->key = s->children[i].spec.key;
    op->pid = s->children[i].pid;
  }
}

/* ---- children ---- */

static int find_key(const otp_sup *s, uint64_t key) {
  for (int i = 0; i < s->n; i++)
    if (!s->children[i].removed && s->children[i].spec.key == key) return i;
  return -1;
}

static int find_pid(const otp_sup *s, otp_pid pid) {
  for (int i = 0; i < s->n; i++) {
    const otp_sup_child *c = &s->children[i];
    if (!c->removed && c->status == OTP_CHILD_RUNNING && c->pid == pid) return i;
  }
  return -1;
}

/* OTP's del_child: a temporary child's spec goes, any other keeps its spec
** with pid undefined. */
static void del_child(otp_sup *s, int i) {
  otp_sup_child *c = &s->children[i];
  if (c->spec.restart == OTP_RESTART_TEMPORARY) c->removed = 1;
  c->status = OTP_CHILD_UNDEFINED;
  c->pid = OTP_PID_NONE;
}

/* Drops removed children for good (only between jobs). */
static void compact(otp_sup *s) {
  int k = 0;
  for (int i = 0; i < s->n; i++) {
    if (s->children[i].removed) {
      push(s, OTP_SUP_OP_FORGET, 0)->key = s->children[i].spec.key;
    } else {
      s->children[k++] = s->children[i];
    }
  }
  s->n = k;
}

/* ---- jobs ---- */

static void begin_job(otp_sup *s, job_kind job, int subject) {
  s->job = job;
  s->subject = subject;
  s->nplan = s->pc = 0;
  s->awaiting = 0;
}

static void plan(otp_sup *s, step_kind kind, int child) {
  s->plan[s->nplan].kind = (uint8_t)kind;
  s->plan[s->nplan].child = child;
  s->nplan++;
}

static void end_job(otp_sup *s) {
  s->job = JOB_NONE;
  s->nplan = s->pc = 0;
  s->awaiting = 0;
  compact(s);
}

/* Every running child, newest first, with reason shutdown (C13). */
static void shutdown(otp_sup *s, int exit_code, int cause, otp_pid old, const char *why) {
  if (cause >= 0) {
    otp_sup_op *op = push_about(s, OTP_SUP_OP_EVENT, OTP_EV_SUP_SHUTDOWN, cause);
    op->pid = OTP_PID_NONE;
    op->old_pid = old;
    op->value = OTP_SUP_VALUE_TEXT;
    op->text = why;
  }
  begin_job(s, JOB_SHUTDOWN, cause);
  s->exit_code = exit_code;
  for (int i = s->n - 1; i >= 0; i--) plan(s, STEP_TERM, i);
}

/* OTP's restart/2: count the restart, give up past the intensity (C9), or
** restart per strategy (C6-C8). An exit (why is the exit reason) is reported
** as child_terminated only when it is restarted: when it exhausts the budget,
** the one report says so (with the exit reason), instead of OTP's two. */
static void restart(otp_sup *s, int i, int64_t now_s, otp_sup_value why) {
  otp_sup_child *c = &s->children[i];
  otp_pid old = c->pid;
  int ok = otp_restarts_add(&s->restarts, now_s, s->flags.intensity, s->flags.period);
  if (ok <= 0) {
    report(s, OTP_SUP_REPORT_MAX_INTENSITY, i, old, why);
    del_child(s, i);
    shutdown(s, OTP_SUP_EXIT_SHUTDOWN, i, old, "reached_max_restart_intensity");
    return;
  }
  if (why == OTP_SUP_VALUE_EXIT) report(s, OTP_SUP_REPORT_CHILD_TERMINATED, i, old, why);
  begin_job(s, JOB_RESTART, i);
  s->subject_old = old;
  s->subject_value = why;
  c->status = OTP_CHILD_UNDEFINED;
  c->pid = OTP_PID_NONE;
  int first = 0;
  switch (s->flags.strategy) {
    case OTP_STRATEGY_ONE_FOR_ONE:
      plan(s, STEP_START, i);
      return;
    case OTP_STRATEGY_REST_FOR_ONE:
      first = i;
      /* fall through */
    case OTP_STRATEGY_ONE_FOR_ALL:
      for (int j = s->n - 1; j >= first; j--) plan(s, STEP_TERM, j);
      for (int j = first; j < s->n; j++)
        if (s->children[j].spec.restart != OTP_RESTART_TEMPORARY) plan(s, STEP_START, j);
      return;
  }
}

/* C16: a significant child (its pid was old) ended for good by itself. */
static void maybe_auto_shutdown(otp_sup *s, int i, otp_pid old) {
  const otp_sup_child *c = &s->children[i];
  if (s->flags.auto_shutdown == OTP_AUTO_NEVER || !c->spec.significant) return;
  if (s->flags.auto_shutdown == OTP_AUTO_ALL_SIGNIFICANT)
    for (int j = 0; j < s->n; j++) {
      const otp_sup_child *o = &s->children[j];
      if (!o->removed && o->spec.significant && o->status != OTP_CHILD_UNDEFINED) return;
    }
  shutdown(s, OTP_SUP_EXIT_SHUTDOWN, i, old, "auto_shutdown");
}

/* The reasons OTP's shutdown/2 takes as a clean end; any other is reported
** (a shutdown_error). A non-permanent child may also end normal, shutdown or
** {shutdown, _} on its own. */
static int clean_end(const otp_child_spec *spec, otp_reason_kind r) {
  int brutal = spec->shutdown == OTP_SHUTDOWN_BRUTAL_KILL;
  if (r == OTP_REASON_KILLED) return brutal;
  if (r == OTP_REASON_SHUTDOWN && !brutal) return 1;
  if (r == OTP_REASON_OTHER) return 0;
  return spec->restart != OTP_RESTART_PERMANENT;
}

/* After a TERM step on child i (terminated: it was running and is now dead). */
static void after_term(otp_sup *s, int i, int terminated, otp_reason_kind r) {
  otp_sup_child *c = &s->children[i];
  if (terminated) {
    push_about(s, OTP_SUP_OP_EVENT, OTP_EV_SUP_TERMINATE_CHILD, i)->value = OTP_SUP_VALUE_TERM;
    if (!clean_end(&c->spec, r))
      report(s, OTP_SUP_REPORT_SHUTDOWN_ERROR, i, c->pid, OTP_SUP_VALUE_TERM);
  }
  if (s->job == JOB_RESTART || s->job == JOB_TERMINATE_CHILD) {
    del_child(s, i);
  } else {
    c->status = OTP_CHILD_UNDEFINED;
    c->pid = OTP_PID_NONE;
  }
}

static void restart_event(otp_sup *s) {
  int i = s->subject;
  otp_sup_op *op = push_about(s, OTP_SUP_OP_EVENT, OTP_EV_SUP_RESTART, i);
  if (s->children[i].status != OTP_CHILD_RUNNING) op->pid = OTP_PID_NONE;
  op->old_pid = s->subject_old;
  op->value = s->subject_value;
}

static void finish(otp_sup *s) {
  int i = s->subject;
  switch (s->job) {
    case JOB_INIT:
      push(s, OTP_SUP_OP_INIT_OK, 0);
      break;
    case JOB_INIT_ABORT:
      push_about(s, OTP_SUP_OP_EXIT, OTP_SUP_EXIT_START_FAILED, i)->value = OTP_SUP_VALUE_START;
      break;
    case JOB_SHUTDOWN:
      push(s, OTP_SUP_OP_EXIT, s->exit_code)->value =
          s->exit_code == OTP_SUP_EXIT_STOP ? OTP_SUP_VALUE_STOP : OTP_SUP_VALUE_NONE;
      break;
    case JOB_RESTART:
      restart_event(s);
      break;
    case JOB_START_CHILD:
    case JOB_RESTART_CHILD:
      reply(s, s->children[i].status == OTP_CHILD_RUNNING ? OTP_SUP_REPLY_PID
                                                          : OTP_SUP_REPLY_IGNORE, i);
      break;
    case JOB_TERMINATE_CHILD:
      reply(s, OTP_SUP_REPLY_OK, -1);
      break;
    case JOB_NONE:
      break;
  }
  end_job(s);
}

/* Runs the plan up to the next step that needs an answer, or to its end. */
static void advance(otp_sup *s) {
  while (s->pc < s->nplan) {
    step st = s->plan[s->pc];
    otp_sup_child *c = &s->children[st.child];
    if (c->removed) {
      s->pc++;
      continue;
    }
    if (st.kind == STEP_START) {
      push_about(s, OTP_SUP_OP_START, 0, st.child);
      s->awaiting = 1;
      return;
    }
    if (c->status == OTP_CHILD_RUNNING) {
      otp_sup_op *op = push_about(s, OTP_SUP_OP_TERMINATE, 0, st.child);
      op->shutdown = c->spec.shutdown;
      s->awaiting = 1;
      return;
    }
    after_term(s, st.child, 0, OTP_REASON_SHUTDOWN);
    s->pc++;
  }
  finish(s);
}

void otp_sup_next(otp_sup *s, otp_sup_op *op) {
  for (;;) {
    if (otp_outbox_pop(&s->out, op)) return;
    if (s->awaiting || s->job == JOB_NONE) {
      memset(op, 0, sizeof *op);
      op->kind = OTP_SUP_OP_NONE;
      return;
    }
    advance(s);
  }
}

void otp_sup_started(otp_sup *s, int result, otp_pid pid) {
  if (!s->awaiting || s->plan[s->pc].kind != STEP_START) return;
  s->awaiting = 0;
  int i = s->plan[s->pc].child;
  otp_sup_child *c = &s->children[i];
  if (result == OTP_START_OK) {
    c->status = OTP_CHILD_RUNNING;
    c->pid = pid;
    push_about(s, OTP_SUP_OP_EVENT, OTP_EV_SUP_START_CHILD, i);
    s->pc++;
    return;
  }
  c->status = OTP_CHILD_UNDEFINED;
  c->pid = OTP_PID_NONE;
  push_about(s, OTP_SUP_OP_EVENT, OTP_EV_SUP_START_CHILD, i)->value = OTP_SUP_VALUE_START;
  if (result == OTP_START_IGNORE) {            /* C3 */
    if (c->spec.restart == OTP_RESTART_TEMPORARY) c->removed = 1;
    s->pc++;
    return;
  }
  report(s, OTP_SUP_REPORT_START_ERROR, i, OTP_PID_NONE, OTP_SUP_VALUE_START);
  switch (s->job) {
    case JOB_INIT:                             /* C2: undo, newest first */
      begin_job(s, JOB_INIT_ABORT, i);
      for (int j = s->n - 1; j >= 0; j--) plan(s, STEP_TERM, j);
      return;
    case JOB_RESTART:                          /* C10: mark it, retry later */
      c->status = OTP_CHILD_RESTARTING;
      c->pid = i == s->subject ? s->subject_old : OTP_PID_NONE;
      restart_event(s);
      push_about(s, OTP_SUP_OP_RETRY, 0, i);
      end_job(s);
      return;
    case JOB_START_CHILD:
      reply(s, OTP_SUP_REPLY_START_ERROR, i);
      c->removed = 1;
      end_job(s);
      return;
    case JOB_RESTART_CHILD:
      reply(s, OTP_SUP_REPLY_ERROR, i);
      end_job(s);
      return;
    default:
      end_job(s);
      return;
  }
}

void otp_sup_terminated(otp_sup *s, otp_reason_kind reason) {
  if (!s->awaiting || s->plan[s->pc].kind != STEP_TERM) return;
  s->awaiting = 0;
  after_term(s, s->plan[s->pc].child, 1, reason);
  s->pc++;
}

/* ---- events in ---- */

int otp_sup_add_child(otp_sup *s, const otp_child_spec *spec) {
  if (find_key(s, spec->key) >= 0) return 1;
  if (reserve(s, s->n + 1) != 0) return -1;
  otp_sup_child *c = &s->children[s->n++];
  memset(c, 0, sizeof *c);
  c->spec = *spec;
  return 0;
}

void otp_sup_begin(otp_sup *s) {
  begin_job(s, JOB_INIT, -1);
  for (int i = 0; i < s->n; i++) plan(s, STEP_START, i);
}

int otp_sup_exit_signal(otp_sup *s, otp_pid from, otp_reason_kind reason, int64_t now_s,
                        uint64_t *key) {
  if (s->job != JOB_NONE) return OTP_SIGNAL_IGNORED;
  if (from == s->parent) {
    shutdown(s, OTP_SUP_EXIT_STOP, -1, OTP_PID_NONE, NULL);
    return OTP_SIGNAL_PARENT;
  }
  int i = find_pid(s, from);
  if (i < 0) return OTP_SIGNAL_IGNORED;
  otp_sup_child *c = &s->children[i];
  if (key) *key = c->spec.key;
  int clean = reason == OTP_REASON_NORMAL || reason == OTP_REASON_SHUTDOWN ||
              reason == OTP_REASON_SHUTDOWN_TERM;
  if (c->spec.restart == OTP_RESTART_PERMANENT ||
      (c->spec.restart == OTP_RESTART_TRANSIENT && !clean)) {
    restart(s, i, now_s, OTP_SUP_VALUE_EXIT);
  } else {
    if (!clean) report(s, OTP_SUP_REPORT_CHILD_TERMINATED, i, c->pid, OTP_SUP_VALUE_EXIT);
    otp_pid old = c->pid;
    del_child(s, i);
    maybe_auto_shutdown(s, i, old);
  }
  if (s->job == JOB_NONE) compact(s);
  return OTP_SIGNAL_CHILD;
}

void otp_sup_stop(otp_sup *s) {
  if (s->job == JOB_NONE) shutdown(s, OTP_SUP_EXIT_STOP, -1, OTP_PID_NONE, NULL);
}

void otp_sup_retry(otp_sup *s, uint64_t key, int64_t now_s) {
  if (s->job != JOB_NONE) return;
  int i = find_key(s, key);
  if (i < 0 || s->children[i].status != OTP_CHILD_RESTARTING) return;
  restart(s, i, now_s, OTP_SUP_VALUE_START);
  if (s->job == JOB_NONE) compact(s);
}

/* ---- API calls ---- */

int otp_sup_call_start_child(otp_sup *s, const otp_child_spec *spec, uint64_t existing) {
  int e = existing ? find_key(s, existing) : -1;
  if (e >= 0) {
    reply(s, s->children[e].status == OTP_CHILD_RUNNING ? OTP_SUP_REPLY_ALREADY_STARTED
                                                        : OTP_SUP_REPLY_ALREADY_PRESENT, e);
    return 0;
  }
  if (otp_sup_add_child(s, spec) != 0) return -1;
  begin_job(s, JOB_START_CHILD, s->n - 1);
  plan(s, STEP_START, s->n - 1);
  return 0;
}

void otp_sup_call_terminate_child(otp_sup *s, uint64_t key) {
  int i = find_key(s, key);
  if (i < 0) {
    reply(s, OTP_SUP_REPLY_NOT_FOUND, -1);
    return;
  }
  begin_job(s, JOB_TERMINATE_CHILD, i);
  plan(s, STEP_TERM, i);
}

static int status_reply(const otp_sup *s, int i) {
  if (i < 0) return OTP_SUP_REPLY_NOT_FOUND;
  switch (s->children[i].status) {
    case OTP_CHILD_RUNNING: return OTP_SUP_REPLY_RUNNING;
    case OTP_CHILD_RESTARTING: return OTP_SUP_REPLY_RESTARTING;
    default: return -1;
  }
}

void otp_sup_call_restart_child(otp_sup *s, uint64_t key) {
  int i = find_key(s, key);
  int r = status_reply(s, i);
  if (r >= 0) {
    reply(s, (otp_sup_reply)r, -1);
    return;
  }
  begin_job(s, JOB_RESTART_CHILD, i);
  plan(s, STEP_START, i);
}

void otp_sup_call_delete_child(otp_sup *s, uint64_t key) {
  int i = find_key(s, key);
  int r = status_reply(s, i);
  if (r >= 0) {
    reply(s, (otp_sup_reply)r, -1);
    return;
  }
  s->children[i].removed = 1;
  reply(s, OTP_SUP_REPLY_OK, -1);
  compact(s);
}

/* ---- reading ---- */

int otp_sup_count(const otp_sup *s) { return s->n; }

const otp_sup_child *otp_sup_child_at(const otp_sup *s, int i) {
  return i >= 0 && i < s->n ? &s->children[i] : NULL;
}

const otp_sup_child *otp_sup_find(const otp_sup *s, uint64_t key) {
  int i = find_key(s, key);
  return i < 0 ? NULL : &s->children[i];
}

const otp_sup_flags *otp_sup_get_flags(const otp_sup *s) { return &s->flags; }

void otp_sup_set_flags(otp_sup *s, const otp_sup_flags *flags) { s->flags = *flags; }

int otp_sup_restarts_used(const otp_sup *s, int64_t now_s) {
  return otp_restarts_used(&s->restarts, now_s, s->flags.period);
}

int otp_sup_busy(const otp_sup *s) { return s->job != JOB_NONE || s->out.len > 0; }

otp_sup_counts otp_sup_count_children(const otp_sup *s, int (*alive)(void *ud, otp_pid pid),
                                      void *ud) {
  otp_sup_counts n = {0, 0, 0, 0};
  for (int i = 0; i < s->n; i++) {
    const otp_sup_child *c = &s->children[i];
    if (c->removed) continue;
    n.specs++;
    if (c->spec.type == OTP_CHILD_WORKER) n.workers++;
    else n.supervisors++;
    if (c->status == OTP_CHILD_RUNNING && (!alive || alive(ud, c->pid))) n.active++;
  }
  return n;
}

otp_reason_kind otp_reason_kind_of(const char *s, int is_shutdown_pair) {
  if (is_shutdown_pair) return OTP_REASON_SHUTDOWN_TERM;
  if (!s) return OTP_REASON_OTHER;
  if (strcmp(s, "normal") == 0) return OTP_REASON_NORMAL;
  if (strcmp(s, "shutdown") == 0) return OTP_REASON_SHUTDOWN;
  if (strcmp(s, "killed") == 0) return OTP_REASON_KILLED;
  return OTP_REASON_OTHER;
}
