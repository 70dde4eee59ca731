/*
** test_pattern.c
** Tests for runtime/sandbox/pattern.c: a match that pauses after every step
** and goes on ends exactly as one that runs in one go (same end, captures,
** error), over random patterns and subjects; a few answers pinned.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "sandbox/pattern.h"

typedef struct outcome {
  int result;
  size_t end;
  int level;
  otp_pat_capture capture[OTP_PAT_MAXCAPTURES];
  char err[80];
  long pauses;
} outcome;

/* Runs one attempt at s with budgets of `step` steps until it ends. */
static outcome run(const char *src, const char *pat, size_t s, int64_t step) {
  static otp_pat m;
  outcome o;
  memset(&o, 0, sizeof o);
  otp_pat_init(&m, src, strlen(src), pat, strlen(pat));
  otp_pat_begin(&m, s, 0);
  for (;;) {
    int64_t budget = step;
    o.result = otp_pat_run(&m, &budget);
    if (o.result != OTP_PAT_PAUSED) break;
    o.pauses++;
  }
  o.end = m.end;
  o.level = m.level;
  memcpy(o.capture, m.capture, sizeof o.capture);
  memcpy(o.err, m.err, sizeof o.err);
  return o;
}

static void assert_same(const outcome *a, const outcome *b, const char *src, const char *pat) {
  if (a->result != b->result) fail_msg("'%s' on '%s': %d vs %d", pat, src, a->result, b->result);
  if (a->result == OTP_PAT_MATCH) {
    assert_int_equal(a->end, b->end);
    assert_int_equal(a->level, b->level);
    for (int i = 0; i < a->level; i++) {
      assert_int_equal(a->capture[i].init, b->capture[i].init);
      assert_int_equal(a->capture[i].len, b->capture[i].len);
    }
  }
  if (a->result == OTP_PAT_ERROR) assert_string_equal(a->err, b->err);
}

static uint64_t rng_state = 88172645463325252u;
static unsigned rnd(unsigned n) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state % n);
}

/* paused after every step, or every 7, the answers are the one-go answers */
static void test_pausing_changes_nothing (void **state) {
  (void)state;
  static const char *const atoms[] = {"a", "b", ".", "%a", "%d", "[ab]", "[^a]", "%b()",
                                      "%f[%w]", "(", ")", "()", "%1", "*", "+", "-", "?",
                                      "$", "%", "[", "a?", "b*", "(a*)", "(.-)"};
  static const char subj[] = "ab()1 a";
  long pauses = 0;
  for (int n = 0; n < 5000; n++) {
    char pat[64] = "", src[16] = "";
    int len = (int)rnd(7);
    for (int i = 0; i < len; i++) strcat(pat, atoms[rnd(sizeof atoms / sizeof *atoms)]);
    int sl = (int)rnd(12);
    for (int i = 0; i < sl; i++) src[i] = subj[rnd(sizeof subj - 1)];
    src[sl] = '\0';
    for (size_t s = 0; s <= strlen(src); s++) {
      outcome whole = run(src, pat, s, INT64_MAX);
      outcome slow = run(src, pat, s, 1);
      outcome mid = run(src, pat, s, 7);
      assert_same(&whole, &slow, src, pat);
      assert_same(&whole, &mid, src, pat);
      assert_int_equal(whole.pauses, 0);
      pauses += slow.pauses;
    }
  }
  assert_true(pauses > 10000);   /* the slow runs really paused */
}

/* the exponential case pauses, and a small one ends with Lua's answer */
static void test_backtracking_pauses_and_ends (void **state) {
  (void)state;
  char src[32], pat[64] = "";
  memset(src, 'a', 12);
  src[12] = '\0';
  for (int i = 0; i < 12; i++) strcat(pat, "a?");
  strcat(pat, src);
  outcome o = run(src, pat, 0, 1000);
  assert_int_equal(o.result, OTP_PAT_MATCH);
  assert_int_equal(o.end, 12);
  assert_true(o.pauses > 10);
}

/* the limits and messages Lua has */
static void test_limits_and_errors (void **state) {
  (void)state;
  char pat[512] = "", src[301];
  memset(src, 'a', 300);
  src[300] = '\0';
  for (int i = 0; i < 199; i++) strcat(pat, "a?");
  assert_int_equal(run(src, pat, 0, INT64_MAX).result, OTP_PAT_MATCH);
  strcat(pat, "a?");
  outcome o = run(src, pat, 0, INT64_MAX);
  assert_int_equal(o.result, OTP_PAT_ERROR);
  assert_string_equal(o.err, "pattern too complex");
  pat[0] = '\0';
  for (int i = 0; i < 33; i++) strcat(pat, "(a)");
  o = run(src, pat, 0, INT64_MAX);
  assert_string_equal(o.err, "too many captures");
  assert_string_equal(run("a", "%", 0, INT64_MAX).err, "malformed pattern (ends with '%')");
  assert_string_equal(run("a", "[a", 0, INT64_MAX).err, "malformed pattern (missing ']')");
  assert_string_equal(run("a", "%b", 0, INT64_MAX).err,
                      "malformed pattern (missing arguments to '%b')");
  assert_string_equal(run("a", "%fa", 0, INT64_MAX).err, "missing '[' after '%f' in pattern");
  assert_string_equal(run("a", "%1", 0, INT64_MAX).err, "invalid capture index %1");
  assert_string_equal(run("a", "a)", 0, INT64_MAX).err, "invalid pattern capture");
  o = run("x = [[y]] z", "%b[]", 4, INT64_MAX);
  assert_int_equal(o.result, OTP_PAT_MATCH);
  assert_int_equal(o.end, 9);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_pausing_changes_nothing),
    cmocka_unit_test(test_backtracking_pauses_and_ends),
    cmocka_unit_test(test_limits_and_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
