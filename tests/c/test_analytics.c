/*
** test_analytics.c
** Tests for runtime/otp/analytics.h: the per-supervisor restart ring, the
** failure-rate window, the budget meter (otp_restarts, as the supervisor
** counts), dropping dead supervisors and the bounded text copies.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "otp/analytics.h"

static void *plain_realloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

static otp_restart_rec rec(int64_t t_ms, otp_pid old_pid, otp_pid new_pid) {
  otp_restart_rec r;
  memset(&r, 0, sizeof r);
  r.t_ms = t_ms;
  r.old_pid = old_pid;
  r.new_pid = new_pid;
  r.strategy = "one_for_one";
  return r;
}

/* The ring keeps the newest ring_max, oldest first, while total counts all. */
static void ring_keeps_newest(void **state) {
  (void)state;
  otp_analytics a;
  otp_analytics_init(&a, plain_realloc, NULL, 1000, 4);
  otp_sup_analytics *s = otp_analytics_get(&a, 77, NULL);
  assert_non_null(s);
  otp_analytics_set_flags(s, "one_for_one", 100000, 3600);
  for (int i = 1; i <= 2500; i++) {
    otp_restart_rec r = rec(i, (otp_pid)i, (otp_pid)(i + 1));
    assert_int_equal(otp_analytics_restart(&a, s, &r, 0), 0);
    assert_int_equal(otp_analytics_count(s), i < 1000 ? i : 1000);
  }
  assert_int_equal(s->total, 2500);
  assert_int_equal(s->cap, 1000);
  for (int i = 0; i < 1000; i++) {
    const otp_restart_rec *r = otp_analytics_at(s, i);
    assert_int_equal(r->t_ms, 1501 + i);
    assert_int_equal(r->old_pid, 1501 + i);
    assert_int_equal(r->new_pid, 1502 + i);
  }
  assert_null(otp_analytics_at(s, 1000));
  assert_null(otp_analytics_at(s, -1));
  assert_ptr_equal(otp_analytics_find(&a, 77), s);
  assert_null(otp_analytics_find(&a, 78));
  otp_analytics_free(&a);
}

/* Restarts in (now - window, now], per second. */
static void failure_rate_window(void **state) {
  (void)state;
  otp_analytics a;
  otp_analytics_init(&a, plain_realloc, NULL, 10, 4);
  otp_sup_analytics *s = otp_analytics_get(&a, 5, NULL);
  otp_analytics_set_flags(s, NULL, 1000, 60);
  assert_true(otp_analytics_failure_rate(s, 10000, 1000) == 0.0);
  int64_t times[] = {1000, 2000, 9000, 9500, 9999, 10000};
  for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
    otp_restart_rec r = rec(times[i], 1, 2);
    otp_analytics_restart(&a, s, &r, 0);
  }
  assert_true(otp_analytics_failure_rate(s, 10000, 1000) == 3.0);    /* 9000 is out */
  assert_true(otp_analytics_failure_rate(s, 10000, 2000) == 2.0);    /* 9000 is in */
  assert_true(otp_analytics_failure_rate(s, 10000, 10000) == 0.6);
  assert_true(otp_analytics_failure_rate(s, 20000, 5000) == 0.0);
  assert_true(otp_analytics_failure_rate(s, 10000, 0) == 0.0);
  assert_int_equal(otp_analytics_count_after(s, 9500), 2);
  assert_int_equal(otp_analytics_count_after(s, 0), 6);
  /* past the ring: only the newest ring_max (10) are known */
  for (int i = 0; i < 20; i++) {
    otp_restart_rec r = rec(10000, 1, 2);
    otp_analytics_restart(&a, s, &r, 0);
  }
  assert_true(otp_analytics_failure_rate(s, 10000, 1000) == 10.0);
  otp_analytics_free(&a);
}

/* The meter counts exactly as the supervisor's own otp_restarts does. */
static void budget_matches_supervisor(void **state) {
  (void)state;
  otp_analytics a;
  otp_analytics_init(&a, plain_realloc, NULL, 1000, 4);
  otp_sup_analytics *s = otp_analytics_get(&a, 9, NULL);
  otp_analytics_set_flags(s, NULL, 3, 5);
  otp_restarts sup;
  otp_restarts_init(&sup, plain_realloc, NULL);
  int64_t at[] = {0, 1, 2, 7, 8, 8, 13, 20};
  for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
    int ok = otp_restarts_add(&sup, at[i], 3, 5);
    otp_restart_rec r = rec(at[i] * 1000, 1, 2);
    if (ok > 0) otp_analytics_restart(&a, s, &r, at[i]);
    else otp_analytics_gave_up(s, at[i]);
    for (int64_t now = at[i]; now < at[i] + 8; now++)
      assert_int_equal(otp_analytics_used(s, now), otp_restarts_used(&sup, now, 5));
  }
  assert_int_equal(otp_analytics_used(s, 20), 1);   /* 13 fell out of [15, 20] */
  otp_restarts_free(&sup);
  otp_analytics_free(&a);
}

static int dead_set[256];
static int alive_fn(void *ud, otp_pid pid) {
  (void)ud;
  return !dead_set[pid];
}

/* Records stay sorted by pid; only the keep_dead most recently dead stay. */
static void dead_supervisors_are_dropped(void **state) {
  (void)state;
  otp_analytics a;
  otp_analytics_init(&a, plain_realloc, NULL, 1000, 2);
  otp_pid order[] = {30, 10, 20, 50, 40};
  for (int i = 0; i < 5; i++) {
    int created = 0;
    assert_non_null(otp_analytics_get(&a, order[i], &created));
    assert_int_equal(created, 1);
  }
  int created = 1;
  otp_analytics_get(&a, 20, &created);
  assert_int_equal(created, 0);
  for (int i = 0; i < 5; i++) assert_int_equal(a.sups[i]->sup, (otp_pid)(10 * (i + 1)));
  memset(dead_set, 0, sizeof dead_set);
  dead_set[40] = 1;
  otp_analytics_sweep(&a, alive_fn, NULL);
  dead_set[10] = dead_set[30] = 1;                   /* dead later than 40 */
  otp_analytics_sweep(&a, alive_fn, NULL);
  assert_int_equal(a.n, 4);
  assert_null(otp_analytics_find(&a, 40));           /* the first to die went */
  assert_non_null(otp_analytics_find(&a, 10));
  assert_non_null(otp_analytics_find(&a, 30));
  dead_set[50] = 1;
  otp_analytics_sweep(&a, alive_fn, NULL);
  assert_int_equal(a.n, 3);
  assert_non_null(otp_analytics_find(&a, 20));
  assert_non_null(otp_analytics_find(&a, 50));
  otp_analytics_free(&a);
}

/* Many deaths found by one sweep: the keep_dead latest numbers stay, the
** rest go in one pass, and the pid order holds. */
static void one_sweep_drops_many_dead(void **state) {
  (void)state;
  otp_analytics a;
  otp_analytics_init(&a, plain_realloc, NULL, 1000, 3);
  for (otp_pid p = 1; p <= 100; p++) assert_non_null(otp_analytics_get(&a, p, NULL));
  memset(dead_set, 0, sizeof dead_set);
  dead_set[5] = dead_set[6] = 1;
  otp_analytics_sweep(&a, alive_fn, NULL);           /* 5 and 6 die first */
  for (otp_pid p = 50; p <= 99; p++) dead_set[p] = 1;
  otp_analytics_sweep(&a, alive_fn, NULL);           /* numbered in pid order */
  assert_int_equal(a.n, 48 + 3);
  assert_null(otp_analytics_find(&a, 5));
  assert_null(otp_analytics_find(&a, 6));
  assert_null(otp_analytics_find(&a, 96));
  for (otp_pid p = 97; p <= 99; p++) assert_non_null(otp_analytics_find(&a, p));
  assert_non_null(otp_analytics_find(&a, 100));
  for (int i = 1; i < a.n; i++) assert_true(a.sups[i - 1]->sup < a.sups[i]->sup);
  otp_analytics_free(&a);
}

/* New supervisors sweep every time while there are few records, then only
** once the records have doubled since the last sweep. */
static void sweeps_are_due_when_records_double(void **state) {
  (void)state;
  otp_analytics a;
  otp_analytics_init(&a, plain_realloc, NULL, 1000, 3);
  memset(dead_set, 0, sizeof dead_set);
  otp_pid p = 1;
  for (; p < OTP_ANALYTICS_SWEEP_MIN; p++) {
    otp_analytics_get(&a, p, NULL);
    assert_true(otp_analytics_sweep_due(&a));
    otp_analytics_sweep(&a, alive_fn, NULL);
  }
  for (; p <= 100; p++) otp_analytics_get(&a, p, NULL);
  otp_analytics_sweep(&a, alive_fn, NULL);           /* 100 records */
  for (; p < 200; p++) {
    otp_analytics_get(&a, p, NULL);
    assert_false(otp_analytics_sweep_due(&a));
  }
  otp_analytics_get(&a, p, NULL);
  assert_true(otp_analytics_sweep_due(&a));
  otp_analytics_free(&a);
}

static void text_copies_are_bounded(void **state) {
  (void)state;
  char buf[8];
  assert_int_equal(otp_analytics_copy_text(buf, sizeof buf, "boom", 4), 0);
  assert_string_equal(buf, "boom");
  assert_int_equal(otp_analytics_copy_text(buf, sizeof buf, "1234567", 7), 0);
  assert_string_equal(buf, "1234567");
  assert_int_equal(otp_analytics_copy_text(buf, sizeof buf, "12345678", 8), 1);
  assert_string_equal(buf, "1234...");
  /* never cuts inside a UTF-8 sequence: "12é..." not "123\xc3..." */
  assert_int_equal(otp_analytics_copy_text(buf, sizeof buf, "12\xc3\xa9\xc3\xa9xyz", 9), 1);
  assert_string_equal(buf, "12\xc3\xa9...");
  char tiny[3];
  otp_analytics_copy_text(tiny, sizeof tiny, "abcdef", 6);
  assert_string_equal(tiny, "..");
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(ring_keeps_newest),
    cmocka_unit_test(failure_rate_window),
    cmocka_unit_test(budget_matches_supervisor),
    cmocka_unit_test(dead_supervisors_are_dropped),
    cmocka_unit_test(one_sweep_drops_many_dead),
    cmocka_unit_test(sweeps_are_due_when_records_double),
    cmocka_unit_test(text_copies_are_bounded),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
