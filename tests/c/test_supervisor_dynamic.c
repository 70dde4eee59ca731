/*
** test_supervisor_dynamic.c
** Tests for runtime/otp/dynsup.h: the dynamic supervisor state machine
** (Elixir's DynamicSupervisor) driven by a scripted world.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "otp/dynsup.h"
#include "trace/trace.h"

#define PARENT ((otp_pid)7)

typedef struct world {
  char log[8192];
  otp_pid next_pid;
  int fails, ignores;               /* upcoming start failures / ignores */
  otp_reason_kind ends_with;
  int early;                        /* report children as already dead */
  otp_pid last;                     /* the last pid started */
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
  if (len + 64 >= sizeof w->log) return;
  if (len) w->log[len++] = ',';
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w->log + len, sizeof w->log - len, fmt, ap);
  va_end(ap);
}

static void drive(otp_dynsup *d, world *w) {
  otp_sup_op op;
  for (;;) {
    otp_dynsup_next(d, &op);
    switch (op.kind) {
      case OTP_SUP_OP_NONE:
        return;
      case OTP_SUP_OP_START:
        if (w->fails > 0) {
          w->fails--;
          say(w, "start fails");
          otp_dynsup_started(d, OTP_START_ERROR, 0);
        } else if (w->ignores > 0) {
          w->ignores--;
          say(w, "start ignored");
          otp_dynsup_started(d, OTP_START_IGNORE, 0);
        } else {
          w->last = ++w->next_pid;
          say(w, "start %d", (int)w->last);
          otp_dynsup_started(d, OTP_START_OK, w->last);
        }
        break;
      case OTP_SUP_OP_TERMINATE_ALL: {
        char pids[512] = "";
        otp_pid marked[1024];
        int n = 0;
        for (int i = otp_dynsup_next_marked(d, -1); i >= 0; i = otp_dynsup_next_marked(d, i)) {
          const otp_dynsup_child *c = otp_dynsup_child_at(d, i);
          assert_true(c->marked);
          assert_true(n < 1024);
          marked[n++] = c->pid;
          snprintf(pids + strlen(pids), sizeof pids - strlen(pids), "%s%d", n > 1 ? " " : "",
                   (int)c->pid);
        }
        int scanned = 0;                        /* the same as a scan finds */
        for (int i = 0; i < otp_dynsup_count(d); i++) scanned += otp_dynsup_child_at(d, i)->marked;
        assert_int_equal(scanned, n);
        say(w, "term_all %s", pids);
        for (int i = n - 1; i >= 0; i--)        /* in any order */
          otp_dynsup_terminated(d, marked[i], w->ends_with, w->early);
        otp_dynsup_terminate_done(d);
        break;
      }
      case OTP_SUP_OP_TERMINATE:
        fail_msg("a dynamic supervisor stops its children in parallel");
        break;
      case OTP_SUP_OP_RETRY: say(w, "retry %d", (int)op.pid); break;
      case OTP_SUP_OP_REPLY: say(w, "reply %d", op.code); break;
      case OTP_SUP_OP_INIT_OK: say(w, "init_ok"); break;
      case OTP_SUP_OP_EXIT: say(w, "exit %d", op.code); break;
      case OTP_SUP_OP_REPORT: say(w, "report %d", op.code); break;
      case OTP_SUP_OP_EVENT:
        if (op.code == OTP_EV_SUP_RESTART)
          say(w, "ev_restart %d>%d", (int)op.old_pid, (int)op.pid);
        else if (op.code == OTP_EV_SUP_SHUTDOWN)
          say(w, "ev_shutdown");
        break;
      case OTP_SUP_OP_FORGET: say(w, "forget"); break;
    }
  }
}

static otp_dynsup *make(world *w, int intensity, int64_t max_children) {
  otp_dynsup_flags f = {intensity, 5, max_children};
  otp_dynsup *d = otp_dynsup_new(&f, PARENT, plain_realloc, NULL);
  assert_non_null(d);
  memset(w, 0, sizeof *w);
  w->next_pid = 100;
  w->ends_with = OTP_REASON_SHUTDOWN;
  return d;
}

static void start(otp_dynsup *d, world *w, uint64_t key, otp_restart_type r) {
  otp_child_spec c = {key, r, OTP_CHILD_WORKER, 5000, 0};
  assert_int_equal(otp_dynsup_call_start_child(d, &c), 0);
  drive(d, w);
}

static void test_start_child_and_max_children(void **state) {
  (void)state;
  world w;
  otp_dynsup *d = make(&w, 3, 2);
  start(d, &w, 1, OTP_RESTART_PERMANENT);
  w.ignores = 1;
  start(d, &w, 2, OTP_RESTART_PERMANENT);
  w.fails = 1;
  start(d, &w, 3, OTP_RESTART_PERMANENT);
  start(d, &w, 4, OTP_RESTART_PERMANENT);
  start(d, &w, 5, OTP_RESTART_PERMANENT);
  assert_string_equal(w.log, "start 101,reply 1,start ignored,reply 2,forget,start fails,reply 4,"
                             "forget,start 102,reply 1,reply 10,forget");
  otp_sup_counts n = otp_dynsup_count_children(d);
  assert_int_equal(n.specs, 2);
  assert_int_equal(n.active, 2);
  otp_dynsup_free(d);
}

static void test_restart_moves_child_last(void **state) {
  (void)state;
  world w;
  otp_dynsup *d = make(&w, 3, OTP_DYNSUP_INFINITY);
  start(d, &w, 1, OTP_RESTART_PERMANENT);
  start(d, &w, 2, OTP_RESTART_TRANSIENT);
  start(d, &w, 3, OTP_RESTART_TEMPORARY);
  w.log[0] = 0;
  otp_dynsup_exit_signal(d, 101, OTP_REASON_NORMAL, 0, NULL);     /* permanent */
  drive(d, &w);
  otp_dynsup_exit_signal(d, 102, OTP_REASON_SHUTDOWN_TERM, 0, NULL); /* transient, clean */
  drive(d, &w);
  otp_dynsup_exit_signal(d, 103, OTP_REASON_OTHER, 0, NULL);     /* temporary */
  drive(d, &w);
  assert_string_equal(w.log, "report 0,start 104,ev_restart 101>104,forget,report 0,forget");
  assert_int_equal(otp_dynsup_count(d), 1);
  assert_int_equal(otp_dynsup_child_at(d, 0)->pid, 104);
  otp_dynsup_free(d);
}

static void test_failed_restart_retry(void **state) {
  (void)state;
  world w;
  otp_dynsup *d = make(&w, 10, OTP_DYNSUP_INFINITY);
  start(d, &w, 1, OTP_RESTART_PERMANENT);
  start(d, &w, 2, OTP_RESTART_PERMANENT);
  w.log[0] = 0;
  w.fails = 1;
  otp_dynsup_exit_signal(d, 101, OTP_REASON_OTHER, 0, NULL);
  drive(d, &w);
  assert_string_equal(w.log, "report 0,start fails,report 1,ev_restart 101>0,retry 101");
  assert_true(otp_dynsup_child_at(d, 0)->restarting);
  assert_int_equal(otp_dynsup_count_children(d).active, 1);
  assert_int_equal(otp_dynsup_exit_signal(d, 101, OTP_REASON_OTHER, 0, NULL), OTP_SIGNAL_IGNORED);
  w.log[0] = 0;
  otp_dynsup_retry(d, 101, 0);
  drive(d, &w);
  assert_string_equal(w.log, "start 103,ev_restart 101>103");
  assert_int_equal(otp_dynsup_child_at(d, 1)->pid, 103);
  /* terminate_child of a restarting child: forgotten, nothing to stop */
  w.fails = 1;
  otp_dynsup_exit_signal(d, 102, OTP_REASON_OTHER, 0, NULL);
  drive(d, &w);
  w.log[0] = 0;
  otp_dynsup_call_terminate_child(d, 102);
  drive(d, &w);
  otp_dynsup_retry(d, 102, 0);               /* too late: nothing */
  drive(d, &w);
  otp_dynsup_call_terminate_child(d, 102);
  drive(d, &w);
  assert_string_equal(w.log, "reply 0,forget,reply 5");
  otp_dynsup_free(d);
}

static void test_shutdown_in_parallel(void **state) {
  (void)state;
  world w;
  otp_dynsup *d = make(&w, 1, OTP_DYNSUP_INFINITY);
  for (uint64_t k = 1; k <= 3; k++) start(d, &w, k, OTP_RESTART_PERMANENT);
  w.log[0] = 0;
  otp_dynsup_exit_signal(d, 102, OTP_REASON_OTHER, 0, NULL);
  drive(d, &w);
  otp_dynsup_exit_signal(d, 104, OTP_REASON_OTHER, 0, NULL);   /* one too many: one report */
  drive(d, &w);
  assert_string_equal(w.log, "report 0,start 104,ev_restart 102>104,"
                             "report 3,ev_shutdown,term_all 101 103,exit 0,forget");
  otp_dynsup_free(d);
}

static void test_terminate_reports(void **state) {
  (void)state;
  world w;
  otp_dynsup *d = make(&w, 1, OTP_DYNSUP_INFINITY);
  start(d, &w, 1, OTP_RESTART_TRANSIENT);
  start(d, &w, 2, OTP_RESTART_PERMANENT);
  start(d, &w, 3, OTP_RESTART_PERMANENT);
  w.log[0] = 0;
  w.ends_with = OTP_REASON_SHUTDOWN_TERM;     /* clean when signalled */
  otp_dynsup_call_terminate_child(d, 102);
  drive(d, &w);
  w.ends_with = OTP_REASON_NORMAL;            /* already dead, normal: clean for transient */
  w.early = 1;
  otp_dynsup_call_terminate_child(d, 101);
  drive(d, &w);
  otp_dynsup_call_terminate_child(d, 103);   /* permanent, normal: reported */
  drive(d, &w);
  otp_dynsup_call_terminate_child(d, 999);
  drive(d, &w);
  assert_string_equal(w.log, "term_all 102,reply 0,forget,term_all 101,reply 0,forget,"
                             "term_all 103,report 2,reply 0,forget,reply 5");
  w.log[0] = 0;
  otp_dynsup_exit_signal(d, PARENT, OTP_REASON_NORMAL, 0, NULL);
  drive(d, &w);
  assert_string_equal(w.log, "exit 1");
  otp_dynsup_free(d);
}

/* Past the size where removed entries wait to be compacted: children are
** found by pid, a restarted one comes last, a removed one's pid is no
** child's, and a child that went is forgotten once, at the latest when the
** removed are half the entries. */
static void test_many_children_by_pid(void **state) {
  (void)state;
  world w;
  otp_dynsup *d = make(&w, 1000, OTP_DYNSUP_INFINITY);
  enum { N = 300 };
  for (int k = 1; k <= N; k++)   /* pids 101..400; every third temporary */
    start(d, &w, (uint64_t)k, k % 3 == 0 ? OTP_RESTART_TEMPORARY : OTP_RESTART_PERMANENT);
  int forgets = 0, expected_forgets = 0;
  for (int k = 1; k <= N; k++) {           /* the temporary ones end, the first 5 others crash */
    otp_pid pid = (otp_pid)(100 + k);
    if (k % 3 == 0) expected_forgets++;
    else if (k > 7) continue;
    w.log[0] = 0;
    assert_int_equal(otp_dynsup_exit_signal(d, pid, OTP_REASON_OTHER, 0, NULL), OTP_SIGNAL_CHILD);
    drive(d, &w);
    for (const char *f = w.log; (f = strstr(f, "forget")) != NULL; f++) forgets++;
    assert_int_equal(otp_dynsup_find(d, pid), -1);
    assert_int_equal(otp_dynsup_exit_signal(d, pid, OTP_REASON_OTHER, 0, NULL), OTP_SIGNAL_IGNORED);
  }
  otp_sup_counts n = otp_dynsup_count_children(d);
  assert_int_equal(n.specs, N - N / 3);
  assert_int_equal(n.active, N - N / 3);
  /* order: the untouched permanent children as started, then the 5 restarted */
  otp_pid seen[N];
  int k = 0;
  for (int i = 0; i < otp_dynsup_count(d); i++) {
    const otp_dynsup_child *c = otp_dynsup_child_at(d, i);
    if (c->removed) continue;
    assert_int_equal(otp_dynsup_find(d, c->pid), i);
    seen[k++] = c->pid;
  }
  assert_int_equal(k, N - N / 3);
  assert_int_equal(seen[0], 108);                /* 101, 102, 104, 105, 107 restarted */
  for (int j = 1; j < k - 5; j++) assert_true(seen[j] > seen[j - 1]);
  for (int j = k - 5; j < k; j++) assert_true(seen[j] > 400);
  /* each child that went forgotten once at most, and no more of them
  ** waiting than half the entries */
  assert_true(forgets <= expected_forgets);
  assert_true(2 * (expected_forgets - forgets) <= otp_dynsup_count(d));
  /* restarts leave their old places behind too: once those and the ended
  ** are half, they go, each ended child forgotten, no restarted one */
  for (int j = 7; j < k - 5; j++) {
    w.log[0] = 0;
    otp_dynsup_exit_signal(d, seen[j], OTP_REASON_OTHER, 0, NULL);
    drive(d, &w);
    for (const char *f = w.log; (f = strstr(f, "forget")) != NULL; f++) forgets++;
  }
  assert_int_equal(forgets, expected_forgets);
  n = otp_dynsup_count_children(d);
  assert_int_equal(n.active, N - N / 3);
  assert_true(otp_dynsup_count(d) < 2 * (N - N / 3));
  otp_dynsup_free(d);
}

/* terminate_child, one child after another of many, stops that child
** alone each time (its mark found without a scan, and cleared), and a
** shutdown afterwards stops every one left. */
static void test_terminate_one_of_many(void **state) {
  (void)state;
  world w;
  otp_dynsup *d = make(&w, 1, OTP_DYNSUP_INFINITY);
  enum { N = 200 };
  for (int k = 1; k <= N; k++) start(d, &w, (uint64_t)k, OTP_RESTART_PERMANENT);
  for (int k = 1; k <= N / 2; k++) {          /* pids 101..200 */
    w.log[0] = 0;
    otp_dynsup_call_terminate_child(d, (otp_pid)(100 + k));
    drive(d, &w);
    char want[64];
    snprintf(want, sizeof want, "term_all %d,reply 0", 100 + k);
    assert_int_equal(strncmp(w.log, want, strlen(want)), 0);
    assert_int_equal(otp_dynsup_next_marked(d, -1), -1);
    assert_int_equal(otp_dynsup_find(d, (otp_pid)(100 + k)), -1);
  }
  assert_int_equal(otp_dynsup_count_children(d).active, N / 2);
  w.log[0] = 0;
  otp_dynsup_stop(d);
  drive(d, &w);
  assert_non_null(strstr(w.log, "term_all 201 202 "));   /* the rest, in order */
  assert_non_null(strstr(w.log, " 299 300,exit"));
  otp_dynsup_free(d);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_start_child_and_max_children),
    cmocka_unit_test(test_restart_moves_child_last),
    cmocka_unit_test(test_failed_restart_retry),
    cmocka_unit_test(test_shutdown_in_parallel),
    cmocka_unit_test(test_terminate_reports),
    cmocka_unit_test(test_terminate_one_of_many),
    cmocka_unit_test(test_many_children_by_pid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
