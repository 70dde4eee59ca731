/*
** test_supervisor.c
** Tests for runtime/otp/supervisor.h and restarts.h: the
** supervisor state machine driven by a scripted world, without processes.
** Each test runs a scenario and compares the whole sequence of operations
** the machine asked for with the expected one.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otp/childspec.h"
#include "otp/restarts.h"
#include "otp/supervisor.h"
#include "trace/trace.h"

#define PARENT ((otp_pid)7)
#define MAXK 256

/* ---- the scripted world ---- */

typedef struct world {
  char log[65536];
  otp_pid next_pid;
  int fails[MAXK];            /* upcoming start failures per key */
  int ignores[MAXK];          /* upcoming ignores per key */
  otp_reason_kind ends_with;  /* how terminated children end */
  otp_pid pid_of[MAXK];       /* the last pid started per key */
} world;

static void *plain_realloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

static void say(world *w, const char *fmt, ...) {
  size_t len = strlen(w->log);
  if (len + 64 >= sizeof w->log) return;   /* full: the tests look at the ends */
  if (len) w->log[len++] = ',';
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->log + len, sizeof w->log - len, fmt, ap);
  va_end(ap);
}

static const char *event_name(int kind) {
  switch (kind) {
    case OTP_EV_SUP_START_CHILD: return "ev_start";
    case OTP_EV_SUP_RESTART: return "ev_restart";
    case OTP_EV_SUP_TERMINATE_CHILD: return "ev_term";
    case OTP_EV_SUP_SHUTDOWN: return "ev_shutdown";
    default: return "ev_?";
  }
}

static const char *reply_name(int code) {
  static const char *const names[] = {"ok", "pid", "ignore", "start_error", "error",
                                      "not_found", "running", "restarting", "already_present",
                                      "already_started", "max_children"};
  return names[code];
}

static const char *exit_name(int code) {
  static const char *const names[] = {"shutdown", "stop", "start_failed"};
  return names[code];
}

static const char *report_name(int code) {
  static const char *const names[] = {"child_terminated", "start_error", "shutdown_error",
                                      "max_intensity"};
  return names[code];
}

/* Runs the machine until it waits, answering as the world dictates.
** Notes are logged too, so the sequence is complete; events are logged
** as "ev_kind key". */
static void drive(otp_sup *s, world *w) {
  otp_sup_op op;
  for (;;) {
    otp_sup_next(s, &op);
    int k = (int)op.key;
    switch (op.kind) {
      case OTP_SUP_OP_NONE:
        return;
      case OTP_SUP_OP_START:
        if (w->fails[k] > 0) {
          w->fails[k]--;
          say(w, "start %d fails", k);
          otp_sup_started(s, OTP_START_ERROR, 0);
        } else if (w->ignores[k] > 0) {
          w->ignores[k]--;
          say(w, "start %d ignored", k);
          otp_sup_started(s, OTP_START_IGNORE, 0);
        } else {
          w->pid_of[k] = ++w->next_pid;
          say(w, "start %d", k);
          otp_sup_started(s, OTP_START_OK, w->pid_of[k]);
        }
        break;
      case OTP_SUP_OP_TERMINATE:
        assert_int_equal(op.pid, w->pid_of[k]);
        say(w, "term %d", k);
        otp_sup_terminated(s, w->ends_with);
        break;
      case OTP_SUP_OP_TERMINATE_ALL:
        fail_msg("a static supervisor never stops children in parallel");
        break;
      case OTP_SUP_OP_RETRY: say(w, "retry %d", k); break;
      case OTP_SUP_OP_REPLY: say(w, "reply %s", reply_name(op.code)); break;
      case OTP_SUP_OP_INIT_OK: say(w, "init_ok"); break;
      case OTP_SUP_OP_EXIT: say(w, "exit %s", exit_name(op.code)); break;
      case OTP_SUP_OP_REPORT: say(w, "report %s %d", report_name(op.code), k); break;
      case OTP_SUP_OP_EVENT: say(w, "%s %d", event_name(op.code), k); break;
      case OTP_SUP_OP_FORGET: say(w, "forget %d", k); break;
    }
  }
}

/* Only the operations, without the notes: easier to read for strategies. */
static void strip_notes(char *log) {
  static char out[65536];
  out[0] = 0;
  char *save = NULL;
  for (char *t = strtok_r(log, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
    if (strncmp(t, "ev_", 3) == 0 || strncmp(t, "report", 6) == 0 ||
        strncmp(t, "forget", 6) == 0)
      continue;
    if (out[0]) strcat(out, ",");
    strcat(out, t);
  }
  strcpy(log, out);
}

static otp_child_spec spec(uint64_t key, otp_restart_type r) {
  otp_child_spec c = {key, r, OTP_CHILD_WORKER, 5000, 0};
  return c;
}

/* A supervisor with n permanent children 1..n (restart types in `types`,
** 'p', 't' or 'T' for temporary; NULL: all permanent), started. */
static otp_sup *make(world *w, otp_strategy strategy, int intensity, const char *types) {
  otp_sup_flags f = {strategy, intensity, 5, OTP_AUTO_NEVER};
  otp_sup *s = otp_sup_new(&f, PARENT, plain_realloc, NULL);
  assert_non_null(s);
  int n = types ? (int)strlen(types) : 0;
  for (int i = 0; i < n; i++) {
    otp_restart_type r = types[i] == 't' ? OTP_RESTART_TRANSIENT
                         : types[i] == 'T' ? OTP_RESTART_TEMPORARY : OTP_RESTART_PERMANENT;
    otp_child_spec c = spec((uint64_t)i + 1, r);
    assert_int_equal(otp_sup_add_child(s, &c), 0);
  }
  memset(w, 0, sizeof *w);
  w->next_pid = 100;
  w->ends_with = OTP_REASON_SHUTDOWN;
  otp_sup_begin(s);
  drive(s, w);
  w->log[0] = 0;
  return s;
}

static void crash(otp_sup *s, world *w, int key, otp_reason_kind why, int64_t now) {
  uint64_t k = 0;
  assert_int_equal(otp_sup_exit_signal(s, w->pid_of[key], why, now, &k), OTP_SIGNAL_CHILD);
  assert_int_equal(k, (uint64_t)key);
  drive(s, w);
}

/* ---- init (C1, C2, C3) ---- */

static void test_init_starts_in_order(void **state) {
  (void)state;
  world w = {0};
  otp_sup_flags f = {OTP_STRATEGY_ONE_FOR_ONE, 3, 5, OTP_AUTO_NEVER};
  otp_sup *s = otp_sup_new(&f, PARENT, plain_realloc, NULL);
  for (uint64_t k = 1; k <= 3; k++) {
    otp_child_spec c = spec(k, OTP_RESTART_PERMANENT);
    assert_int_equal(otp_sup_add_child(s, &c), 0);
  }
  otp_child_spec dup = spec(2, OTP_RESTART_PERMANENT);
  assert_int_equal(otp_sup_add_child(s, &dup), 1);
  w.next_pid = 100;
  otp_sup_begin(s);
  drive(s, &w);
  assert_string_equal(w.log, "start 1,ev_start 1,start 2,ev_start 2,start 3,ev_start 3,init_ok");
  otp_sup_free(s);
}

static void test_init_failure_unwinds_newest_first(void **state) {
  (void)state;
  world w = {0};
  otp_sup_flags f = {OTP_STRATEGY_ONE_FOR_ONE, 3, 5, OTP_AUTO_NEVER};
  otp_sup *s = otp_sup_new(&f, PARENT, plain_realloc, NULL);
  for (uint64_t k = 1; k <= 4; k++) {
    otp_child_spec c = spec(k, OTP_RESTART_PERMANENT);
    otp_sup_add_child(s, &c);
  }
  w.next_pid = 100;
  w.fails[3] = 1;
  w.ends_with = OTP_REASON_SHUTDOWN;
  otp_sup_begin(s);
  drive(s, &w);
  assert_string_equal(w.log,
      "start 1,ev_start 1,start 2,ev_start 2,start 3 fails,ev_start 3,"
      "report start_error 3,term 2,ev_term 2,term 1,ev_term 1,exit start_failed");
  otp_sup_free(s);
}

static void test_init_ignore_keeps_or_drops(void **state) {
  (void)state;
  world w = {0};
  otp_sup_flags f = {OTP_STRATEGY_ONE_FOR_ONE, 3, 5, OTP_AUTO_NEVER};
  otp_sup *s = otp_sup_new(&f, PARENT, plain_realloc, NULL);
  otp_child_spec a = spec(1, OTP_RESTART_PERMANENT), b = spec(2, OTP_RESTART_TEMPORARY);
  otp_sup_add_child(s, &a);
  otp_sup_add_child(s, &b);
  w.ignores[1] = w.ignores[2] = 1;
  otp_sup_begin(s);
  drive(s, &w);
  assert_string_equal(w.log, "start 1 ignored,ev_start 1,start 2 ignored,ev_start 2,init_ok,forget 2");
  assert_int_equal(otp_sup_count(s), 1);
  assert_int_equal(otp_sup_child_at(s, 0)->status, OTP_CHILD_UNDEFINED);
  otp_sup_counts n = otp_sup_count_children(s, NULL, NULL);
  assert_int_equal(n.specs, 1);
  assert_int_equal(n.active, 0);
  otp_sup_free(s);
}

/* ---- restart decisions (C5) and strategies (C6, C7, C8) ---- */

static void test_restart_decisions(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ONE, 100, "ptT");
  crash(s, &w, 1, OTP_REASON_NORMAL, 0);           /* permanent: always */
  assert_string_equal(w.log, "report child_terminated 1,start 1,ev_start 1,ev_restart 1");
  w.log[0] = 0;
  crash(s, &w, 2, OTP_REASON_SHUTDOWN_TERM, 0);    /* transient, clean: kept undefined */
  assert_string_equal(w.log, "");
  assert_int_equal(otp_sup_find(s, 2)->status, OTP_CHILD_UNDEFINED);
  assert_int_equal(otp_sup_exit_signal(s, w.pid_of[2], OTP_REASON_KILLED, 0, NULL),
                   OTP_SIGNAL_IGNORED);            /* no longer a running child */
  otp_sup_call_restart_child(s, 2);
  drive(s, &w);
  w.log[0] = 0;
  crash(s, &w, 2, OTP_REASON_KILLED, 0);           /* transient, killed: restarted */
  assert_string_equal(w.log, "report child_terminated 2,start 2,ev_start 2,ev_restart 2");
  w.log[0] = 0;
  crash(s, &w, 3, OTP_REASON_NORMAL, 0);           /* temporary: dropped */
  assert_string_equal(w.log, "forget 3");
  assert_null(otp_sup_find(s, 3));
  otp_sup_free(s);
}

static void test_one_for_one(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ONE, 10, "ppp");
  otp_pid a = w.pid_of[1], c = w.pid_of[3];
  crash(s, &w, 2, OTP_REASON_OTHER, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "start 2");
  assert_int_equal(otp_sup_find(s, 1)->pid, a);
  assert_int_equal(otp_sup_find(s, 3)->pid, c);
  otp_sup_free(s);
}

static void test_one_for_all_drops_temporary(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ALL, 10, "pppT");
  crash(s, &w, 2, OTP_REASON_OTHER, 0);
  assert_string_equal(w.log,
      "report child_terminated 2,term 4,ev_term 4,term 3,ev_term 3,term 1,ev_term 1,"
      "start 1,ev_start 1,start 2,ev_start 2,start 3,ev_start 3,ev_restart 2,forget 4");
  assert_int_equal(otp_sup_count(s), 3);
  otp_sup_free(s);
}

static void test_one_for_all_starts_stopped_children(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ALL, 10, "ppt");
  otp_sup_call_terminate_child(s, 2);
  drive(s, &w);
  crash(s, &w, 3, OTP_REASON_NORMAL, 0);           /* transient, normal */
  w.log[0] = 0;
  crash(s, &w, 1, OTP_REASON_OTHER, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "start 1,start 2,start 3");
  otp_sup_free(s);
}

static void test_rest_for_one(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_REST_FOR_ONE, 10, "ppTp");
  otp_pid a = w.pid_of[1];
  crash(s, &w, 2, OTP_REASON_OTHER, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "term 4,term 3,start 2,start 4");
  assert_int_equal(otp_sup_find(s, 1)->pid, a);
  otp_sup_free(s);
}

/* ---- intensity (C9) ---- */

static void test_restarts_arithmetic(void **state) {
  (void)state;
  otp_restarts r;
  otp_restarts_init(&r, plain_realloc, NULL);
  /* intensity 2 in 5 s */
  assert_int_equal(otp_restarts_add(&r, 100, 2, 5), 1);
  assert_int_equal(otp_restarts_add(&r, 101, 2, 5), 1);
  assert_int_equal(otp_restarts_used(&r, 101, 5), 2);
  assert_int_equal(otp_restarts_add(&r, 105, 2, 5), 0);   /* 100 >= 105-5: 3 > 2 */
  otp_restarts_free(&r);
  otp_restarts_init(&r, plain_realloc, NULL);
  assert_int_equal(otp_restarts_add(&r, 100, 2, 5), 1);
  assert_int_equal(otp_restarts_add(&r, 101, 2, 5), 1);
  assert_int_equal(otp_restarts_add(&r, 106, 2, 5), 1);   /* 100 < 106-5: dropped */
  assert_int_equal(otp_restarts_used(&r, 106, 5), 2);
  assert_int_equal(otp_restarts_used(&r, 200, 5), 0);
  otp_restarts_free(&r);
  otp_restarts_init(&r, plain_realloc, NULL);
  assert_int_equal(otp_restarts_add(&r, 0, 0, 5), 0);     /* intensity 0: first is fatal */
  otp_restarts_free(&r);
}

static void test_intensity_exceeded_shuts_down(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ONE, 1, "ppp");
  crash(s, &w, 2, OTP_REASON_OTHER, 10);
  w.log[0] = 0;
  crash(s, &w, 2, OTP_REASON_OTHER, 11);
  assert_string_equal(w.log,
      "report max_intensity 2,ev_shutdown 2,"
      "term 3,ev_term 3,term 1,ev_term 1,exit shutdown");
  otp_sup_free(s);
}

static void test_group_restart_counts_once(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ALL, 1, "ppp");
  crash(s, &w, 1, OTP_REASON_OTHER, 0);
  assert_int_equal(otp_sup_restarts_used(s, 0), 1);
  w.log[0] = 0;
  crash(s, &w, 3, OTP_REASON_OTHER, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "term 2,term 1,exit shutdown");
  otp_sup_free(s);
}

/* ---- failed restarts (C10) ---- */

static void test_failed_restart_retries_and_escalates(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ONE, 3, "pp");
  w.fails[2] = 100;
  crash(s, &w, 2, OTP_REASON_OTHER, 0);
  assert_string_equal(w.log, "report child_terminated 2,start 2 fails,ev_start 2,"
                             "report start_error 2,ev_restart 2,retry 2");
  assert_int_equal(otp_sup_find(s, 2)->status, OTP_CHILD_RESTARTING);
  otp_sup_call_restart_child(s, 2);
  otp_sup_call_delete_child(s, 2);
  w.log[0] = 0;
  drive(s, &w);
  assert_string_equal(w.log, "reply restarting,reply restarting");
  w.log[0] = 0;
  for (int i = 0; i < 3; i++) {          /* restarts 2 and 3 fail, 4 is too many */
    otp_sup_retry(s, 2, 0);
    drive(s, &w);
  }
  strip_notes(w.log);
  assert_string_equal(w.log, "start 2 fails,retry 2,start 2 fails,retry 2,term 1,exit shutdown");
  otp_sup_free(s);
}

static void test_one_for_all_retry_restarts_the_group(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ALL, 10, "ppp");
  w.fails[2] = 1;
  crash(s, &w, 1, OTP_REASON_OTHER, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "term 3,term 2,start 1,start 2 fails,retry 2");
  w.log[0] = 0;
  otp_sup_retry(s, 2, 0);
  drive(s, &w);
  strip_notes(w.log);
  assert_string_equal(w.log, "term 1,start 1,start 2,start 3");
  otp_sup_free(s);
}

static void test_rest_for_one_retry_resumes(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_REST_FOR_ONE, 10, "pppp");
  otp_pid a = w.pid_of[1];
  w.fails[3] = 1;
  crash(s, &w, 2, OTP_REASON_OTHER, 0);
  otp_pid b = w.pid_of[2];
  strip_notes(w.log);
  assert_string_equal(w.log, "term 4,term 3,start 2,start 3 fails,retry 3");
  w.log[0] = 0;
  otp_sup_retry(s, 3, 0);
  drive(s, &w);
  strip_notes(w.log);
  assert_string_equal(w.log, "start 3,start 4");
  assert_int_equal(otp_sup_find(s, 1)->pid, a);
  assert_int_equal(otp_sup_find(s, 2)->pid, b);
  /* a retry for a child that is no longer restarting does nothing */
  w.log[0] = 0;
  otp_sup_retry(s, 3, 0);
  drive(s, &w);
  assert_string_equal(w.log, "");
  otp_sup_free(s);
}

/* ---- exit signals (C14) and shutdown (C13, C18) ---- */

static void test_parent_and_stranger_signals(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ONE, 3, "ppp");
  assert_int_equal(otp_sup_exit_signal(s, 999, OTP_REASON_OTHER, 0, NULL), OTP_SIGNAL_IGNORED);
  drive(s, &w);
  assert_string_equal(w.log, "");
  w.ends_with = OTP_REASON_OTHER;          /* children that end badly: reported */
  assert_int_equal(otp_sup_exit_signal(s, PARENT, OTP_REASON_NORMAL, 0, NULL), OTP_SIGNAL_PARENT);
  drive(s, &w);
  assert_string_equal(w.log,
      "term 3,ev_term 3,report shutdown_error 3,term 2,ev_term 2,report shutdown_error 2,"
      "term 1,ev_term 1,report shutdown_error 1,exit stop");
  otp_sup_free(s);
}

static void test_clean_ends_per_shutdown_spec(void **state) {
  (void)state;
  world w;
  otp_sup_flags f = {OTP_STRATEGY_ONE_FOR_ONE, 3, 5, OTP_AUTO_NEVER};
  otp_sup *s = otp_sup_new(&f, PARENT, plain_realloc, NULL);
  otp_child_spec brutal = {1, OTP_RESTART_PERMANENT, OTP_CHILD_WORKER, OTP_SHUTDOWN_BRUTAL_KILL, 0};
  otp_child_spec timed = {2, OTP_RESTART_TRANSIENT, OTP_CHILD_WORKER, 100, 0};
  otp_sup_add_child(s, &brutal);
  otp_sup_add_child(s, &timed);
  memset(&w, 0, sizeof w);
  otp_sup_begin(s);
  drive(s, &w);
  w.log[0] = 0;
  w.ends_with = OTP_REASON_KILLED;          /* clean for brutal_kill, not for 100 ms */
  otp_sup_call_terminate_child(s, 1);
  drive(s, &w);
  otp_sup_call_terminate_child(s, 2);
  drive(s, &w);
  assert_string_equal(w.log, "term 1,ev_term 1,reply ok,term 2,ev_term 2,"
                             "report shutdown_error 2,reply ok");
  w.log[0] = 0;
  w.ends_with = OTP_REASON_NORMAL;          /* clean for a transient */
  otp_sup_call_restart_child(s, 2);
  drive(s, &w);
  otp_sup_call_terminate_child(s, 2);
  drive(s, &w);
  assert_string_equal(w.log, "start 2,ev_start 2,reply pid,term 2,ev_term 2,reply ok");
  /* {shutdown, _}: clean for a transient, reported for a permanent
  ** (Erlang/OTP 25: shutdown_error {shutdown,x} only for the permanent one) */
  w.log[0] = 0;
  w.ends_with = OTP_REASON_SHUTDOWN_TERM;
  otp_sup_call_restart_child(s, 2);
  drive(s, &w);
  otp_sup_call_terminate_child(s, 2);
  drive(s, &w);
  otp_sup_call_restart_child(s, 1);
  drive(s, &w);
  otp_sup_call_terminate_child(s, 1);
  drive(s, &w);
  assert_string_equal(w.log, "start 2,ev_start 2,reply pid,term 2,ev_term 2,reply ok,"
                             "start 1,ev_start 1,reply pid,term 1,ev_term 1,"
                             "report shutdown_error 1,reply ok");
  otp_sup_free(s);
}

/* ---- API calls (C15) ---- */

static void test_api_calls(void **state) {
  (void)state;
  world w;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ONE, 0, "pT");
  otp_child_spec again = spec(1, OTP_RESTART_PERMANENT);
  otp_sup_call_start_child(s, &again, 1);
  drive(s, &w);
  otp_sup_call_terminate_child(s, 2);      /* temporary: removed */
  drive(s, &w);
  otp_sup_call_terminate_child(s, 2);
  drive(s, &w);
  otp_sup_call_terminate_child(s, 1);
  drive(s, &w);
  otp_sup_call_start_child(s, &again, 1);
  drive(s, &w);
  otp_sup_call_restart_child(s, 1);        /* not counted (intensity 0) */
  drive(s, &w);
  otp_sup_call_restart_child(s, 1);
  drive(s, &w);
  otp_sup_call_delete_child(s, 1);
  drive(s, &w);
  otp_sup_call_delete_child(s, 9);
  drive(s, &w);
  otp_child_spec fresh = spec(5, OTP_RESTART_PERMANENT);
  w.fails[5] = 1;
  otp_sup_call_start_child(s, &fresh, 0);
  drive(s, &w);
  strip_notes(w.log);
  assert_string_equal(w.log,
      "reply already_started,term 2,reply ok,reply not_found,term 1,reply ok,"
      "reply already_present,start 1,reply pid,reply running,reply running,"
      "reply not_found,start 5 fails,reply start_error");
  assert_int_equal(otp_sup_count(s), 1);
  otp_sup_free(s);
}

/* ---- auto shutdown (C16) ---- */

static otp_sup *make_auto(world *w, otp_strategy strategy, otp_auto_shutdown a,
                          const char *types, const char *significant) {
  otp_sup_flags f = {strategy, 10, 5, a};
  otp_sup *s = otp_sup_new(&f, PARENT, plain_realloc, NULL);
  for (int i = 0; types[i]; i++) {
    otp_child_spec c = spec((uint64_t)i + 1, types[i] == 't' ? OTP_RESTART_TRANSIENT
                            : types[i] == 'T' ? OTP_RESTART_TEMPORARY : OTP_RESTART_PERMANENT);
    c.significant = significant[i] == 's';
    otp_sup_add_child(s, &c);
  }
  memset(w, 0, sizeof *w);
  w->ends_with = OTP_REASON_SHUTDOWN;
  otp_sup_begin(s);
  drive(s, w);
  w->log[0] = 0;
  return s;
}

static void test_auto_shutdown(void **state) {
  (void)state;
  world w;
  /* any_significant: a significant transient ends normally */
  otp_sup *s = make_auto(&w, OTP_STRATEGY_ONE_FOR_ONE, OTP_AUTO_ANY_SIGNIFICANT, "ptp", "-s-");
  crash(s, &w, 2, OTP_REASON_OTHER, 0);        /* abnormal: restarted instead */
  w.log[0] = 0;
  crash(s, &w, 2, OTP_REASON_NORMAL, 0);
  assert_string_equal(w.log, "ev_shutdown 2,term 3,ev_term 3,term 1,ev_term 1,exit shutdown");
  otp_sup_free(s);

  /* all_significant: the last one; terminate_child never triggers */
  s = make_auto(&w, OTP_STRATEGY_ONE_FOR_ONE, OTP_AUTO_ALL_SIGNIFICANT, "pTTt", "-sss");
  otp_sup_call_terminate_child(s, 4);
  drive(s, &w);
  crash(s, &w, 2, OTP_REASON_KILLED, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "term 4,reply ok");
  w.log[0] = 0;
  crash(s, &w, 3, OTP_REASON_OTHER, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "term 1,exit shutdown");
  otp_sup_free(s);

  /* a group restart caused by a sibling does not trigger it */
  s = make_auto(&w, OTP_STRATEGY_ONE_FOR_ALL, OTP_AUTO_ANY_SIGNIFICANT, "pTp", "-s-");
  crash(s, &w, 1, OTP_REASON_OTHER, 0);
  strip_notes(w.log);
  assert_string_equal(w.log, "term 3,term 2,start 1,start 3");
  otp_sup_free(s);
}

/* Many children: the machine's arrays grow, a shutdown walks them all. */
static void test_many_children(void **state) {
  (void)state;
  world w;
  char types[201];
  memset(types, 'p', 200);
  types[200] = 0;
  otp_sup *s = make(&w, OTP_STRATEGY_ONE_FOR_ALL, 10, types);
  assert_int_equal(otp_sup_count(s), 200);
  crash(s, &w, 100, OTP_REASON_OTHER, 0);
  assert_int_equal(otp_sup_count_children(s, NULL, NULL).active, 200);
  assert_int_equal(otp_sup_find(s, 200)->pid, w.pid_of[200]);
  w.log[0] = 0;
  otp_sup_exit_signal(s, PARENT, OTP_REASON_SHUTDOWN, 0, NULL);
  drive(s, &w);
  assert_non_null(strstr(w.log, "term 200,ev_term 200,term 199"));
  assert_non_null(strstr(w.log, "term 1,ev_term 1,exit stop"));
  otp_sup_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_init_starts_in_order),
    cmocka_unit_test(test_init_failure_unwinds_newest_first),
    cmocka_unit_test(test_init_ignore_keeps_or_drops),
    cmocka_unit_test(test_restart_decisions),
    cmocka_unit_test(test_one_for_one),
    cmocka_unit_test(test_one_for_all_drops_temporary),
    cmocka_unit_test(test_one_for_all_starts_stopped_children),
    cmocka_unit_test(test_rest_for_one),
    cmocka_unit_test(test_restarts_arithmetic),
    cmocka_unit_test(test_intensity_exceeded_shuts_down),
    cmocka_unit_test(test_group_restart_counts_once),
    cmocka_unit_test(test_failed_restart_retries_and_escalates),
    cmocka_unit_test(test_one_for_all_retry_restarts_the_group),
    cmocka_unit_test(test_rest_for_one_retry_resumes),
    cmocka_unit_test(test_parent_and_stranger_signals),
    cmocka_unit_test(test_clean_ends_per_shutdown_spec),
    cmocka_unit_test(test_api_calls),
    cmocka_unit_test(test_auto_shutdown),
    cmocka_unit_test(test_many_children),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
