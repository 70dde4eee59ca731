/*
** test_childspec.c
** Tests for runtime/otp/childspec.h: a child spec and a supervisor's flags
** are checked field by field in the order OTP checks them (C16, C17), so
** the first bad field is the one reported, as supervisor:check_childspecs
** and Elixir's DynamicSupervisor report it.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "otp/childspec.h"

static otp_raw S(const char *s) { otp_raw r = {OTP_RAW_STRING, s, 0}; return r; }
static otp_raw I(int64_t i) { otp_raw r = {OTP_RAW_INTEGER, NULL, i}; return r; }
static otp_raw B(int b) { otp_raw r = {OTP_RAW_BOOLEAN, NULL, b}; return r; }
static otp_raw X(void) { otp_raw r = {OTP_RAW_OTHER, NULL, 0}; return r; }

static otp_raw_spec good(void) {
  otp_raw_spec r;
  memset(&r, 0, sizeof r);
  r.is_table = 1;
  r.id = S("a");
  r.start = 1;
  return r;
}

static void test_spec_checks_in_otp_order(void **state) {
  (void)state;
  otp_child_spec c;
  otp_raw_spec r = good();
  c.key = 42;
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, &c), OTP_SPEC_OK);
  assert_int_equal(c.key, 42);
  assert_int_equal(c.restart, OTP_RESTART_PERMANENT);
  assert_int_equal(c.shutdown, 5000);
  r.type = S("supervisor");
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, &c), OTP_SPEC_OK);
  assert_int_equal(c.shutdown, OTP_SHUTDOWN_INFINITY);

  r = good(); r.id.kind = OTP_RAW_ABSENT; r.start = 0;
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_MISSING_ID);
  r = good(); r.start = 0;
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_MISSING_START);
  r = good(); r.start = -1; r.restart = S("bad");
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_BAD_START);
  r = good(); r.restart = S("bad"); r.type = S("bad");
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_BAD_RESTART);
  r = good(); r.type = S("bad"); r.shutdown = S("bad");
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_BAD_TYPE);
  r = good(); r.shutdown = I(-1); r.modules = OTP_MODS_OTHER;
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_BAD_SHUTDOWN);
  r = good(); r.shutdown = I(0);
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_OK);
  r = good(); r.modules = OTP_MODS_BAD_ELEMENT;
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_BAD_MODULE);
  r = good(); r.significant = B(1);
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_SIGNIFICANT_NEVER);
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_ANY_SIGNIFICANT, NULL), OTP_SPEC_SIGNIFICANT_PERMANENT);
  r.restart = S("transient");
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_ANY_SIGNIFICANT, &c), OTP_SPEC_OK);
  assert_true(c.significant);
  r = good(); r.significant = S("yes");
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_BAD_SIGNIFICANT);
  r = good(); r.id = X();
  assert_int_equal(otp_spec_check(&r, OTP_AUTO_NEVER, NULL), OTP_SPEC_BAD_ID);
  assert_string_equal(otp_spec_err_tag(OTP_SPEC_BAD_SHUTDOWN), "invalid_shutdown");
  assert_null(otp_spec_err_tag(OTP_SPEC_MISSING_ID));

  /* Elixir's order for dynamic children: shutdown before type, no id needed */
  r = good(); r.id.kind = OTP_RAW_ABSENT; r.type = S("bad"); r.shutdown = S("bad");
  assert_int_equal(otp_spec_check_dynamic(&r, NULL), OTP_SPEC_BAD_SHUTDOWN);
  r.shutdown.kind = OTP_RAW_ABSENT;
  assert_int_equal(otp_spec_check_dynamic(&r, NULL), OTP_SPEC_BAD_TYPE);
  r = good(); r.start = 0;
  assert_int_equal(otp_spec_check_dynamic(&r, NULL), OTP_SPEC_NOT_A_TABLE);
}

static void test_flags_checks(void **state) {
  (void)state;
  otp_sup_flags f;
  otp_raw_flags r;
  memset(&r, 0, sizeof r);
  r.is_table = 1;
  assert_int_equal(otp_flags_check(&r, &f), OTP_FLAGS_OK);
  assert_int_equal(f.strategy, OTP_STRATEGY_ONE_FOR_ONE);
  assert_int_equal(f.intensity, 3);
  assert_int_equal(f.period, 5);
  r.strategy = S("simple_one_for_one");
  r.intensity = I(-1);
  assert_int_equal(otp_flags_check(&r, &f), OTP_FLAGS_BAD_STRATEGY);
  r.strategy = S("rest_for_one");
  assert_int_equal(otp_flags_check(&r, &f), OTP_FLAGS_BAD_INTENSITY);
  r.intensity = I(0);
  r.period = I(0);
  r.auto_shutdown = S("bad");
  assert_int_equal(otp_flags_check(&r, &f), OTP_FLAGS_BAD_PERIOD);
  r.period = I(1);
  assert_int_equal(otp_flags_check(&r, &f), OTP_FLAGS_BAD_AUTO_SHUTDOWN);
  r.auto_shutdown = S("all_significant");
  assert_int_equal(otp_flags_check(&r, &f), OTP_FLAGS_OK);
  assert_int_equal(f.strategy, OTP_STRATEGY_REST_FOR_ONE);
  assert_int_equal(f.intensity, 0);
  assert_int_equal(f.auto_shutdown, OTP_AUTO_ALL_SIGNIFICANT);
  r.intensity = X();
  assert_int_equal(otp_flags_check(&r, &f), OTP_FLAGS_BAD_INTENSITY);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_spec_checks_in_otp_order),
    cmocka_unit_test(test_flags_checks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
