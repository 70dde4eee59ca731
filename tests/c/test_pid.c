/*
** test_pid.c
** Tests for runtime/core/pid.h (packing) and the pid text form in
** runtime/core/term.c (otp_pid_format, otp_pid_parse_serial)
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/pid.h"
#include "core/term.h"

#define MAX_SLOT ((1u << OTP_PID_SLOT_BITS) - 1)
#define MAX_SERIAL ((UINT64_C(1) << (64 - OTP_PID_SLOT_BITS)) - 1)


/* slot and serial come back out of a packed pid unchanged */
static void test_make_roundtrip (void **state) {
  (void)state;
  otp_pid p = otp_pid_make(42, 7);
  assert_int_equal(otp_pid_slot(p), 7);
  assert_int_equal(otp_pid_serial(p), 42);
  p = otp_pid_make(1, 0);
  assert_int_equal(otp_pid_slot(p), 0);
  assert_int_equal(otp_pid_serial(p), 1);
}

/* the slot is the low 24 bits, the serial the high 40 */
static void test_make_layout (void **state) {
  (void)state;
  assert_int_equal(otp_pid_make(1, 0), UINT64_C(1) << 24);
  assert_int_equal(otp_pid_make(0, 5), 5);
  assert_int_equal(otp_pid_make(3, 2), (UINT64_C(3) << 24) | 2);
}

/* the largest slot and serial do not bleed into each other */
static void test_make_extremes (void **state) {
  (void)state;
  otp_pid p = otp_pid_make(MAX_SERIAL, MAX_SLOT);
  assert_int_equal(p, UINT64_MAX);
  assert_int_equal(otp_pid_slot(p), MAX_SLOT);
  assert_int_equal(otp_pid_serial(p), MAX_SERIAL);
  p = otp_pid_make(1, MAX_SLOT);
  assert_int_equal(otp_pid_serial(p), 1);
  assert_int_equal(otp_pid_slot(p), MAX_SLOT);
  p = otp_pid_make(MAX_SERIAL, 0);
  assert_int_equal(otp_pid_slot(p), 0);
  assert_int_equal(otp_pid_serial(p), MAX_SERIAL);
}

/* two pids that differ only by serial (a reused slot) are different values */
static void test_reused_slot_differs (void **state) {
  (void)state;
  otp_pid old = otp_pid_make(10, 3), new = otp_pid_make(11, 3);
  assert_int_equal(otp_pid_slot(old), otp_pid_slot(new));
  assert_true(old != new);
  assert_true(old < new);   /* later serial orders later */
}

static void test_none_is_zero (void **state) {
  (void)state;
  assert_int_equal(OTP_PID_NONE, 0);
  assert_int_equal(otp_pid_serial(OTP_PID_NONE), 0);
  assert_int_equal(otp_pid_slot(OTP_PID_NONE), 0);
}

/* "<0.N.0>" shows the serial, never the slot */
static void test_format_shows_serial (void **state) {
  (void)state;
  char buf[48];
  otp_pid_format(otp_pid_make(42, 5), buf, sizeof buf);
  assert_string_equal(buf, "<0.42.0>");
  otp_pid_format(otp_pid_make(42, 999), buf, sizeof buf);
  assert_string_equal(buf, "<0.42.0>");
  otp_pid_format(otp_pid_make(1, 0), buf, sizeof buf);
  assert_string_equal(buf, "<0.1.0>");
}

static void test_format_largest_serial (void **state) {
  (void)state;
  char buf[48];
  otp_pid_format(otp_pid_make(MAX_SERIAL, MAX_SLOT), buf, sizeof buf);
  assert_string_equal(buf, "<0.1099511627775.0>");
}

/* a short buffer is truncated and still terminated, never overrun */
static void test_format_truncates (void **state) {
  (void)state;
  char buf[8];
  memset(buf, 'x', sizeof buf);
  otp_pid_format(otp_pid_make(123456, 1), buf, 6);
  assert_string_equal(buf, "<0.12");
  assert_int_equal(buf[6], 'x');
  assert_int_equal(buf[7], 'x');
}

static void test_parse_accepts (void **state) {
  (void)state;
  assert_int_equal(otp_pid_parse_serial("<0.42.0>"), 42);
  assert_int_equal(otp_pid_parse_serial("<0.1.0>"), 1);
  assert_int_equal(otp_pid_parse_serial("<0.1099511627775.0>"), MAX_SERIAL);
}

/* parse(format(pid)) gives back the pid's serial */
static void test_parse_format_roundtrip (void **state) {
  (void)state;
  static const uint64_t serials[] = {1, 9, 10, 4095, 16777216, 123456789012,
                                     MAX_SERIAL};
  char buf[48];
  for (size_t i = 0; i < sizeof serials / sizeof *serials; i++) {
    otp_pid_format(otp_pid_make(serials[i], 17), buf, sizeof buf);
    assert_int_equal(otp_pid_parse_serial(buf), serials[i]);
  }
}

/* anything that is not exactly "<0.N.0>" gives 0 */
static void test_parse_rejects_malformed (void **state) {
  (void)state;
  static const char *const bad[] = {
    "",             /* empty */
    "<1.2.0>",      /* another node */
    "<0.2.1>",      /* nonzero last part */
    "<0.x.0>",      /* not a number */
    "0.1.0",        /* no brackets */
    "<0.1.0",       /* no closing bracket */
    "<0.1.0>junk",  /* trailing text */
    "<0.1.0> ",     /* trailing space */
    "<0.1>",        /* two parts */
    "<0..0>",       /* empty serial */
    "<>",
    "<",
    "#Ref<0.0.0.1>",
    "<0.1.0 >",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    uint64_t serial = otp_pid_parse_serial(bad[i]);
    if (serial != 0) fail_msg("\"%s\" parsed as serial %llu", bad[i],
                              (unsigned long long)serial);
  }
}

/* serial 0 is never a process, so "<0.0.0>" reads as "not a pid" */
static void test_parse_zero_serial (void **state) {
  (void)state;
  assert_int_equal(otp_pid_parse_serial("<0.0.0>"), 0);
}

int main (void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_make_roundtrip),
    cmocka_unit_test(test_make_layout),
    cmocka_unit_test(test_make_extremes),
    cmocka_unit_test(test_reused_slot_differs),
    cmocka_unit_test(test_none_is_zero),
    cmocka_unit_test(test_format_shows_serial),
    cmocka_unit_test(test_format_largest_serial),
    cmocka_unit_test(test_format_truncates),
    cmocka_unit_test(test_parse_accepts),
    cmocka_unit_test(test_parse_format_roundtrip),
    cmocka_unit_test(test_parse_rejects_malformed),
    cmocka_unit_test(test_parse_zero_serial),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
