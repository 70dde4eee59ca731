/*
** test_xcopy_untrusted.c
** The cross-state decoder given bytes it did not encode (the crashes the
** xcopy libFuzzer target found, and their neighbours): empty and truncated
** buffers, counts and strings running past the end, references to nothing,
** nesting beyond the limit, trailing bytes, binaries and bigints of no
** known form, pids by index without their array, and code or metatables offered
** to the message decoder. Each must be an error status with a
** "xcopy: corrupt buffer" message and a balanced stack, never a crash
** (the ASan build reads nothing outside the buffer).
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "core/xcopy.h"
#include "core/node.h"
#include "lua/lotp.h"

static int setup (void **state) {
  char err[256];
  otp_node *node = otp_node_new(NULL, err, sizeof err);
  if (node == NULL) return -1;
  *state = node;
  return 0;
}

static int teardown (void **state) {
  otp_node_free(*state);
  return 0;
}

/* Decodes len bytes (exactly, from a malloc'd copy so ASan sees the end)
** with the message decoder, or with the spawn decoder if spawn. Returns the
** status; on error checks the message names corruption (or want). */
static int decode_bytes (lua_State *L, const void *bytes, size_t len, int spawn,
                         const char *want) {
  int top = lua_gettop(L);
  otp_xbuf *b = otp_xbuf_from(bytes, len);
  assert_non_null(b);
  int status = spawn ? otp_xdecode(L, b, 0) : otp_xdecode_message(L, b);
  otp_xbuf_free(b);
  if (status != LUA_OK) {
    assert_int_equal(lua_gettop(L), top + 1);
    if (getenv("XCOPY_TEST_VERBOSE")) fprintf(stderr, "%s\n", lua_tostring(L, -1));
    const char *msg = lua_tostring(L, -1);
    assert_non_null(msg);
    if (!strstr(msg, want ? want : "xcopy: corrupt buffer"))
      fail_msg("wanted '%s' in: %s", want ? want : "corrupt buffer", msg);
  }
  lua_settop(L, top);
  return status;
}

/* The encoding of what code returns, in message mode, as a Lua string. */
static void encode (lua_State *L, const char *code, otp_copy_mode mode) {
  int top = lua_gettop(L);
  if (luaL_dostring(L, code) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  otp_xbuf *b = otp_xencode(L, top + 1, lua_gettop(L) - top, mode, "msg");
  lua_settop(L, top);
  lua_pushlstring(L, otp_xbuf_data(b), otp_xbuf_size(b));
  otp_xbuf_free(b);
}

static void test_empty_buffer_is_corrupt (void **state) {
  otp_node *node = *state;
  assert_int_not_equal(decode_bytes(node->L, "", 0, 0, "truncated"), LUA_OK);
  assert_int_not_equal(decode_bytes(node->L, "", 0, 1, "truncated"), LUA_OK);
}

/* every proper prefix of a real encoding is an error, the whole is fine */
static void test_every_truncation_is_an_error (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  encode(L, "local s = {1, 'two', 3.5, {x = true}}; s.self = s\n"
            "return s, 'tail', math.mininteger, string.rep('z', 70), {}, s", OTP_COPY_MESSAGE);
  size_t len;
  const char *bytes = lua_tolstring(L, -1, &len);
  assert_true(len > 20);
  for (size_t n = 0; n < len; n++)
    assert_int_not_equal(decode_bytes(L, bytes, n, 0, NULL), LUA_OK);
  assert_int_equal(decode_bytes(L, bytes, len, 0, NULL), LUA_OK);
  lua_pop(L, 1);
}

static void test_counts_and_strings_past_the_end (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  /* flags 0, one value: a string of 2^35 bytes with 3 present */
  static const unsigned char str[] = {0, 1, 6, 0x80, 0x80, 0x80, 0x80, 0x01, 'a', 'b', 'c'};
  assert_int_not_equal(decode_bytes(L, str, sizeof str, 0, "beyond the end"), LUA_OK);
  /* a table announcing 2^31 array entries */
  static const unsigned char arr[] = {0, 1, 7, 0x80, 0x80, 0x80, 0x80, 0x08, 0, 0};
  assert_int_not_equal(decode_bytes(L, arr, sizeof arr, 0, "beyond the end"), LUA_OK);
  /* 2^40 values announced */
  static const unsigned char many[] = {0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 1};
  assert_int_not_equal(decode_bytes(L, many, sizeof many, 0, "beyond the end"), LUA_OK);
  /* a varint that never ends within 64 bits */
  unsigned char longv[16] = {0, 1, 4};
  memset(longv + 3, 0xff, sizeof longv - 4);
  longv[15] = 0x01;
  assert_int_not_equal(decode_bytes(L, longv, sizeof longv, 0, "varint too long"), LUA_OK);
  /* a float with 3 of its 8 bytes */
  static const unsigned char flt[] = {0, 1, 5, 1, 2, 3};
  assert_int_not_equal(decode_bytes(L, flt, sizeof flt, 0, "truncated"), LUA_OK);
}

static void test_references_to_nothing (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  /* BACK without the flag that records tables (this crashed: index 0) */
  static const unsigned char noflag[] = {0, 1, 9, 1};
  assert_int_not_equal(decode_bytes(L, noflag, sizeof noflag, 0, "reference"), LUA_OK);
  /* BACK to table 5 when only one was made */
  static const unsigned char ahead[] = {1, 1, 7, 1, 0, 9, 5, 0};
  assert_int_not_equal(decode_bytes(L, ahead, sizeof ahead, 0, "reference"), LUA_OK);
  /* BACK to the table being decoded is a cycle, and fine */
  static const unsigned char cycle[] = {1, 1, 7, 1, 0, 9, 1, 0};
  assert_int_equal(decode_bytes(L, cycle, sizeof cycle, 0, NULL), LUA_OK);
}

static void test_nesting_beyond_the_limit (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  /* 200000 tables, each the only array entry of the one before */
  size_t depth = 200000, len = 2 + depth * 3;
  unsigned char *b = malloc(len);
  b[0] = 0, b[1] = 1;
  for (size_t i = 0; i < depth; i++) b[2 + 3 * i] = 7, b[3 + 3 * i] = 1, b[4 + 3 * i] = 0;
  b[len - 2] = 1;   /* the innermost has an empty array part... */
  b[len - 1] = 0;   /* ...and ends: an unfinished outer chain either way */
  assert_int_not_equal(decode_bytes(L, b, len, 0, "nested too deeply"), LUA_OK);
  free(b);
}

static void test_trailing_bytes_and_unknown_tags (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  static const unsigned char trailing[] = {0, 1, 2, 2};
  assert_int_not_equal(decode_bytes(L, trailing, sizeof trailing, 0, "after the last"), LUA_OK);
  static const unsigned char unknown[] = {0, 1, 0x3f};
  assert_int_not_equal(decode_bytes(L, unknown, sizeof unknown, 0, "unknown tag"), LUA_OK);
  /* a nil table key */
  static const unsigned char nilkey[] = {0, 1, 7, 0, 1, 1, 2, 0};
  assert_int_not_equal(decode_bytes(L, nilkey, sizeof nilkey, 0, "nil or NaN"), LUA_OK);
  /* a metatable that is not a table (spawn decoder) */
  static const unsigned char badmt[] = {0, 1, 8, 0, 0, 0, 0x41};
  assert_int_not_equal(decode_bytes(L, badmt, sizeof badmt, 1, "metatable"), LUA_OK);
}

/* functions, C function pointers, modules and metatables from outside */
static void test_message_decoder_refuses_code (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  const char *spawned[] = {"return function() return 1 end", "return print",
                           "return string", "return setmetatable({}, {})"};
  int top = lua_gettop(L);
  for (size_t i = 0; i < sizeof spawned / sizeof *spawned; i++) {
    encode(L, spawned[i], OTP_COPY_SPAWN);
    size_t len;
    const char *bytes = lua_tolstring(L, -1, &len);
    assert_int_equal(decode_bytes(L, bytes, len, 1, NULL), LUA_OK);   /* in-process */
    assert_int_not_equal(decode_bytes(L, bytes, len, 0, "a message cannot hold"), LUA_OK);
    lua_pop(L, 1);
  }
  assert_int_equal(lua_gettop(L), top);
}

/* EKIND (binaries, charlists, bigints): a kind of no known form, or a
** bigint whose digits are not canonical or fit in 64 bits, is corrupt */
static void test_erlang_kinds_of_no_known_form (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  static const unsigned char binary[] = {0, 1, 19, 1, 2, 'a', 'b'};
  assert_int_equal(decode_bytes(L, binary, sizeof binary, 0, NULL), LUA_OK);
  static const unsigned char big[] = {0, 1, 19, 3, 20, '9', '9', '9', '9', '9', '9', '9', '9',
                                      '9', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9'};
  assert_int_equal(decode_bytes(L, big, sizeof big, 0, NULL), LUA_OK);
  static const unsigned char kind[] = {0, 1, 19, 4, 0};
  assert_int_not_equal(decode_bytes(L, kind, sizeof kind, 0, "no known form"), LUA_OK);
  static const unsigned char small[] = {0, 1, 19, 3, 2, '1', '2'};
  assert_int_not_equal(decode_bytes(L, small, sizeof small, 0, "no known form"), LUA_OK);
  static const unsigned char zeros[] = {0, 1, 19, 3, 21, '0', '9', '9', '9', '9', '9', '9', '9',
                                        '9', '9', '9', '9', '9', '9', '9', '9', '9', '9', '9',
                                        '9', '9'};
  assert_int_not_equal(decode_bytes(L, zeros, sizeof zeros, 0, "no known form"), LUA_OK);
}

/* F_TERMS: pids and refs by index need their array, in range, of the kind */
static void test_term_indices_need_their_array (void **state) {
  lua_State *L = ((otp_node *)*state)->L;
  static const unsigned char pid1[] = {2, 1, 10, 1};
  assert_int_not_equal(decode_bytes(L, pid1, sizeof pid1, 0, "without their array"), LUA_OK);
  int top = lua_gettop(L);
  lua_createtable(L, 1, 0);
  lua_pushliteral(L, "not a pid");
  lua_rawseti(L, -2, 1);
  static const unsigned char pid2[] = {2, 1, 10, 2};
  const unsigned char *cases[] = {pid1, pid2};
  const char *want[] = {"not a pid", "out of range"};
  for (int i = 0; i < 2; i++) {
    otp_xbuf *b = otp_xbuf_from(cases[i], 4);
    assert_int_not_equal(otp_xdecode_with(L, b, 0, top + 1), LUA_OK);
    otp_xbuf_free(b);
    if (!strstr(lua_tostring(L, -1), want[i])) fail_msg("wanted '%s' in: %s", want[i],
                                                        lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lua_settop(L, top);
}

int main (void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty_buffer_is_corrupt),
    cmocka_unit_test(test_every_truncation_is_an_error),
    cmocka_unit_test(test_counts_and_strings_past_the_end),
    cmocka_unit_test(test_references_to_nothing),
    cmocka_unit_test(test_nesting_beyond_the_limit),
    cmocka_unit_test(test_trailing_bytes_and_unknown_tags),
    cmocka_unit_test(test_message_decoder_refuses_code),
    cmocka_unit_test(test_erlang_kinds_of_no_known_form),
    cmocka_unit_test(test_term_indices_need_their_array),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
