/*
** test_xcopy.c
** Tests for runtime/core/xcopy.c: values encoded in one Lua state (node A)
** and decoded in another (node B). Scalars, tables with sharing and cycles,
** pids and refs; badarg and lenient refusals; spawn mode functions with
** their upvalues, shared cells, _ENV, modules and C functions; limits, stack
** balance and leaks.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "core/xcopy.h"
#include "core/env.h"
#include "core/node.h"
#include "lua/lotp.h"
#include "core/proc.h"
#include "core/term.h"

typedef struct two { otp_node *a, *b; } two;

static int setup (void **state) {
  char err[256];
  two *t = calloc(1, sizeof *t);
  t->a = otp_node_new(NULL, err, sizeof err);
  t->b = otp_node_new(NULL, err, sizeof err);
  if (t->a == NULL || t->b == NULL) return -1;
  *state = t;
  return 0;
}

static int teardown (void **state) {
  two *t = *state;
  otp_node_free(t->a);
  otp_node_free(t->b);
  free(t);
  return 0;
}

/* encode(...) in the mode given by the upvalue: returns the buffer as a
** light userdata, and checks that encoding moved nothing on the stack */
static int l_encode (lua_State *L) {
  otp_copy_mode mode = (otp_copy_mode)lua_tointeger(L, lua_upvalueindex(1));
  int n = lua_gettop(L);
  otp_xbuf *b = otp_xencode(L, 1, n, mode, "msg");
  assert_int_equal(lua_gettop(L), n);
  lua_pushlightuserdata(L, b);
  return 1;
}

/* Runs code in A; encodes what it returns. Returns the buffer, or NULL with
** the error message on top of A (and A's stack otherwise as it was). */
static otp_xbuf *encode (lua_State *A, const char *code, otp_copy_mode mode) {
  int top = lua_gettop(A);
  lua_pushinteger(A, mode);
  lua_pushcclosure(A, l_encode, 1);
  if (luaL_loadstring(A, code) != LUA_OK) fail_msg("%s", lua_tostring(A, -1));
  if (lua_pcall(A, 0, LUA_MULTRET, 0) != LUA_OK) fail_msg("%s", lua_tostring(A, -1));
  int status = lua_pcall(A, lua_gettop(A) - top - 1, 1, 0);
  assert_int_equal(lua_gettop(A), top + 1);
  if (status != LUA_OK) return NULL;
  otp_xbuf *b = lua_touserdata(A, -1);
  lua_pop(A, 1);
  return b;
}

/* Runs code in A, moves its results to B (env: index in B or 0). Returns
** the decode status: values, or the message, on top of B. */
static int move (two *t, const char *code, otp_copy_mode mode, int env) {
  otp_xbuf *b = encode(t->a->L, code, mode);
  if (b == NULL) fail_msg("encode: %s", lua_tostring(t->a->L, -1));
  int status = otp_xdecode(t->b->L, b, env);
  otp_xbuf_free(b);
  return status;
}

/* Runs code in L with the n values on top as its arguments (popped). */
static void check (lua_State *L, int n, const char *code) {
  int top = lua_gettop(L) - n;
  if (luaL_loadstring(L, code) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  lua_insert(L, top + 1);
  if (lua_pcall(L, n, 0, 0) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  assert_int_equal(lua_gettop(L), top);
}

static void expect_badarg (lua_State *L, const char *a, const char *b) {
  const char *msg = lua_tostring(L, -1);
  assert_non_null(msg);
  if (strncmp(msg, "badarg:", 7) != 0 || !strstr(msg, a) || (b && !strstr(msg, b)))
    fail_msg("wanted badarg with '%s' and '%s': %s", a, b ? b : "", msg);
}


/* integers and floats stay apart, strings are binary-safe, nil counts */
static void test_scalars_keep_types_and_bytes (void **state) {
  two *t = *state;
  lua_State *B = t->b->L;
  assert_int_equal(move(t, "return 1, 2.0, 'a\\0b', true, false, nil, -7, "
                           "math.mininteger, math.maxinteger, 0/0, -0.0, "
                           "string.rep('\\0x', 100), 63, 64, ''",
                        OTP_COPY_MESSAGE, 0), LUA_OK);
  check(B, 15,
        "local a, b, c, d, e, f, g, h, i, j, k, l, m, n, o = ...\n"
        "assert(select('#', ...) == 15)\n"
        "assert(a == 1 and math.type(a) == 'integer')\n"
        "assert(b == 2 and math.type(b) == 'float')\n"
        "assert(c == 'a\\0b' and #c == 3)\n"
        "assert(d == true and e == false and f == nil)\n"
        "assert(g == -7 and h == math.mininteger and i == math.maxinteger)\n"
        "assert(j ~= j and math.type(j) == 'float' and 1 / k == -math.huge)\n"
        "assert(l == string.rep('\\0x', 100))\n"
        "assert(m == 63 and n == 64 and math.type(n) == 'integer' and o == '')\n");
}

static void test_nested_tables_copied (void **state) {
  two *t = *state;
  lua_State *B = t->b->L;
  assert_int_equal(move(t, "local t = {1, 2.5, {3, {4, x = 'y'}}, k = {v = {w = true}},\n"
                           "  [true] = 'b', [0.5] = 'h', ['1'] = 's', [-3] = 'neg'}\n"
                           "for i = 30, 10, -1 do t[i] = i end\n"
                           "t[2] = nil\n"
                           "return t", OTP_COPY_MESSAGE, 0), LUA_OK);
  check(B, 1,
        "local c = ...\n"
        "assert(c[1] == 1 and c[2] == nil and c[3][1] == 3 and c[3][2].x == 'y')\n"
        "assert(c[3][2][1] == 4 and c.k.v.w == true)\n"
        "assert(c[true] == 'b' and c[0.5] == 'h' and c['1'] == 's' and c[-3] == 'neg')\n"
        "for i = 10, 30 do assert(c[i] == i) end\n"
        "local n = 0; for _ in pairs(c) do n = n + 1 end\n"
        "assert(n == 28, n)\n");
}

static void test_shared_subtable_stays_shared (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local s = {n = 1}\n"
                           "return {a = s, b = s, list = {s, s}}, s",
                        OTP_COPY_MESSAGE, 0), LUA_OK);
  check(t->b->L, 2,
        "local c, s = ...\n"
        "assert(c.a == c.b and c.list[1] == c.a and c.list[2] == c.a and s == c.a)\n"
        "c.a.n = 2; assert(c.list[2].n == 2)\n");
}

static void test_cycles_survive (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local a, b = {}, {}\n"
                           "a.b = b; b.a = a; a[1] = a; b[1] = b\n"
                           "local k = {id = 1}; a[k] = k\n"
                           "return a", OTP_COPY_MESSAGE, 0), LUA_OK);
  check(t->b->L, 1,
        "local a = ...\n"
        "assert(a.b.a == a and a[1] == a and a.b[1] == a.b)\n"
        "local n = 0\n"
        "for k, v in pairs(a) do if type(k) == 'table' then n = n + 1; assert(k == v and k.id == 1) end end\n"
        "assert(n == 1)\n");
}

/* a pid decodes to B's interned pid with the same value */
static void test_pids_keep_their_value (void **state) {
  two *t = *state;
  lua_State *A = t->a->L, *B = t->b->L;
  otp_pid pid = otp_pid_make(77, 5);
  int topb = lua_gettop(B);
  otp_push_pid(A, pid);
  lua_createtable(A, 1, 0);
  otp_push_pid(A, pid);
  lua_rawseti(A, -2, 1);
  assert_int_equal(otp_xmove(A, -2, 2, B, OTP_COPY_MESSAGE, "msg", 0), LUA_OK);
  assert_int_equal(otp_to_pid(B, topb + 1), pid);
  lua_rawgeti(B, topb + 2, 1);
  assert_true(lua_rawequal(B, -1, topb + 1));
  otp_push_pid(B, pid);
  assert_true(lua_rawequal(B, -1, topb + 1));   /* B interned it */
  lua_settop(B, topb);
  lua_pop(A, 2);
}

static void test_refs_keep_id_and_alias (void **state) {
  two *t = *state;
  lua_State *A = t->a->L, *B = t->b->L;
  int topb = lua_gettop(B);
  uint64_t id = otp_new_ref(A, 1);
  otp_to_ref_ud(A, -1)->alias = otp_pid_make(9, 2);
  uint64_t plain = otp_new_ref(A, 1);
  assert_int_equal(otp_xmove(A, -2, 2, B, OTP_COPY_MESSAGE, "msg", 0), LUA_OK);
  otp_ref_ud *r = otp_to_ref_ud(B, topb + 1);
  assert_non_null(r);
  assert_int_equal(r->id, id);
  assert_int_equal(r->alias, otp_pid_make(9, 2));
  r = otp_to_ref_ud(B, topb + 2);
  assert_non_null(r);
  assert_int_equal(r->id, plain);
  assert_int_equal(r->alias, OTP_PID_NONE);
  lua_settop(B, topb);
  lua_pop(A, 2);
}

/* message mode: what cannot be sent is a badarg naming where it was; the
** buffer is not returned and A's stack is as it was (plus the message) */
static void test_message_function_is_badarg_with_path (void **state) {
  two *t = *state;
  lua_State *A = t->a->L;
  int top = lua_gettop(A);
  assert_null(encode(A, "return {items = {1, 2, function () end}}", OTP_COPY_MESSAGE));
  expect_badarg(A, "a function cannot be sent between processes (at msg.items[3])", NULL);
  assert_int_equal(lua_gettop(A), top + 1);
  lua_settop(A, top);
}

static void test_message_metatable_is_badarg_with_path (void **state) {
  two *t = *state;
  lua_State *A = t->a->L;
  int top = lua_gettop(A);
  assert_null(encode(A, "return {a = {b = setmetatable({}, {})}}", OTP_COPY_MESSAGE));
  expect_badarg(A, "a table with a metatable", "(at msg.a.b)");
  assert_int_equal(lua_gettop(A), top + 1);
  lua_settop(A, top);
}

static void test_message_coroutine_is_badarg_with_path (void **state) {
  two *t = *state;
  lua_State *A = t->a->L;
  int top = lua_gettop(A);
  assert_null(encode(A, "return 1, {list = {{}, {x = coroutine.create(print)}}}",
                     OTP_COPY_MESSAGE));
  expect_badarg(A, "a coroutine", "(at argument 1.list[2].x)");
  assert_int_equal(lua_gettop(A), top + 1);
  lua_settop(A, top);
}

/* lenient mode names what cannot cross, as copy.c does */
static void test_lenient_function_becomes_string (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local r = {reason = 'bad', f = print, co = coroutine.create(print),\n"
                           "  mt = setmetatable({}, {})}\n"
                           "r.self = r\n"
                           "return r, function () end", OTP_COPY_LENIENT, 0), LUA_OK);
  check(t->b->L, 2,
        "local r, f = ...\n"
        "assert(f == '<a function>' and r.f == '<a function>', tostring(f))\n"
        "assert(r.co == '<a coroutine>' and r.mt == '<a table with a metatable>')\n"
        "assert(r.reason == 'bad' and r.self == r)\n");
}

/* spawn mode: a Lua function with number and table upvalues runs in B */
static void test_spawn_closure_with_upvalues_runs (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local n, t = 40, {x = 2, list = {1, 2}}\n"
                           "local function f (y) return n + t.x + #t.list + y end\n"
                           "return f, f", OTP_COPY_SPAWN, 0), LUA_OK);
  check(t->b->L, 2,
        "local f, g = ...\n"
        "assert(f == g)\n"     /* the same function twice is one function */
        "assert(f(-2) == 42)\n");
}

/* a recursive local function refers to itself through an upvalue */
static void test_spawn_recursive_function (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local function fact (n) if n <= 1 then return 1 end\n"
                           "  return n * fact(n - 1) end\n"
                           "return fact", OTP_COPY_SPAWN, 0), LUA_OK);
  check(t->b->L, 1, "local f = ...; assert(f(10) == 3628800)\n");
}

/* two closures sharing an upvalue cell still share it in B */
static void test_spawn_shared_upvalue_cell (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local c = 0\n"
                           "local function inc () c = c + 1 end\n"
                           "local function get () return c end\n"
                           "return inc, get, {get = get}", OTP_COPY_SPAWN, 0), LUA_OK);
  check(t->b->L, 3,
        "local inc, get, t = ...\n"
        "inc(); inc()\n"
        "assert(get() == 2 and t.get == get)\n");
}

/* the function's _ENV (A's globals) becomes env in B, or B's base globals */
static void test_spawn_env_maps_to_destination_env (void **state) {
  two *t = *state;
  lua_State *B = t->b->L;
  int top = lua_gettop(B);
  lua_createtable(B, 0, 1);
  lua_pushliteral(B, "from B's env");
  lua_setfield(B, -2, "who");
  assert_int_equal(luaL_dostring(t->a->L, "who = 'from A'"), LUA_OK);
  assert_int_equal(luaL_dostring(B, "who = 'from B base'"), LUA_OK);
  const char *code = "return function () return who end";
  assert_int_equal(move(t, code, OTP_COPY_SPAWN, top + 1), LUA_OK);
  check(B, 1, "local f = ...; assert(f() == \"from B's env\", f())\n");
  assert_int_equal(move(t, code, OTP_COPY_SPAWN, 0), LUA_OK);
  check(B, 1, "local f = ...; assert(f() == 'from B base', f())\n");
  lua_settop(B, top);
}

/* a process's globals table in A is _ENV too: it becomes env in B */
static void test_spawn_process_globals_map_to_env (void **state) {
  two *t = *state;
  lua_State *A = t->a->L, *B = t->b->L;
  int topb = lua_gettop(B), topa = lua_gettop(A);
  otp_proc *p = otp_proc_new(t->a, A, OTP_PID_NONE);
  assert_non_null(p);
  luaL_loadstring(A, "who = 'process'; return function () return who end, _G");
  otp_proc_push_env(A, p);
  lua_setupvalue(A, -2, 1);
  lua_call(A, 0, 2);
  lua_createtable(B, 0, 1);
  lua_pushliteral(B, "env");
  lua_setfield(B, -2, "who");
  assert_int_equal(otp_xmove(A, -2, 2, B, OTP_COPY_SPAWN, "f", topb + 1), LUA_OK);
  check(B, 2, "local f, g = ...; assert(f() == 'env' and g.who == 'env')\n");
  lua_settop(B, topb);
  lua_settop(A, topa);
  otp_proc_discard(t->a, p);
}

/* a module upvalue decodes to B's module: the library proxy and a Lua module */
static void test_spawn_module_upvalue_is_destination_module (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local s, e = string, require 'otp.errors'\n"
                           "return function (x) return s.format('<%d>', x), e end,\n"
                           "  require('otp.errors').badarg, _G",
                        OTP_COPY_SPAWN, 0), LUA_OK);
  check(t->b->L, 3,
        "local f, badarg, g = ...\n"
        "local s, e = f(7)\n"
        "assert(s == '<7>')\n"
        "assert(e == require 'otp.errors' and badarg == e.badarg)\n"
        "local ok, msg = pcall(e.badarg, 'checked')\n"
        "assert(not ok and tostring(msg):find('checked'))\n"
        "assert(g == _G)\n");
}

/* a shared table that is not a loaded module is refused by name */
static void test_spawn_unnamed_shared_table_is_badarg (void **state) {
  two *t = *state;
  lua_State *A = t->a->L;
  int top = lua_gettop(A);
  lua_createtable(A, 0, 1);
  otp_env_readonly(A, -1);          /* shared, but in no package.loaded */
  lua_createtable(A, 0, 1);
  lua_insert(A, -2);
  lua_setfield(A, -2, "config");
  lua_pushinteger(A, OTP_COPY_SPAWN);
  lua_pushcclosure(A, l_encode, 1);
  lua_insert(A, -2);
  assert_int_equal(lua_pcall(A, 1, 1, 0), LUA_ERRRUN);
  expect_badarg(A, "msg.config", "not a module loaded by name");
  assert_int_equal(lua_gettop(A), top + 2);   /* the original and the message */
  lua_settop(A, top);
}

/* light C functions that B has cross, directly and as upvalues */
static void test_spawn_available_c_function_crosses (void **state) {
  two *t = *state;
  assert_int_equal(move(t, "local ts, fmt = tostring, string.format\n"
                           "return function (x) return ts(x) .. fmt('%03d', x) end, print",
                        OTP_COPY_SPAWN, 0), LUA_OK);
  check(t->b->L, 2,
        "local f, p = ...\n"
        "assert(f(7) == '7007' and p == print)\n");
}

/* a C function B does not have (a sandbox without io) is a badarg, and B's
** stack is as it was plus the message */
static void test_spawn_missing_c_function_is_badarg (void **state) {
  two *t = *state;
  lua_State *B = t->b->L;
  assert_int_equal(luaL_dostring(B, "io = nil; package.loaded.io = nil"), LUA_OK);
  int top = lua_gettop(B);
  int status = move(t, "local open = io.open\n"
                       "return 1, function () return open end",
                    OTP_COPY_SPAWN, 0);
  assert_int_not_equal(status, LUA_OK);
  assert_int_equal(lua_gettop(B), top + 1);
  expect_badarg(B, "io.open", "not available in the destination");
  lua_settop(B, top);
  /* what B has still crosses afterwards */
  assert_int_equal(move(t, "return tostring", OTP_COPY_SPAWN, 0), LUA_OK);
  check(B, 1, "assert(... == tostring)\n");
}

/* a C closure (with upvalues) cannot cross: it carries hidden state */
static void test_spawn_c_closure_is_badarg (void **state) {
  two *t = *state;
  lua_State *A = t->a->L;
  int top = lua_gettop(A);
  assert_null(encode(A, "local r = require; return function () return r end",
                     OTP_COPY_SPAWN));
  expect_badarg(A, "C function with upvalues", "(upvalue 'r')");
  lua_settop(A, top);
}

static void push_chain (lua_State *L, int n) {
  lua_newtable(L);
  for (int i = 1; i < n; i++) {
    lua_newtable(L);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
  }
}

static int l_encode_top (lua_State *L) {
  otp_xbuf *b = otp_xencode(L, 1, 1, (otp_copy_mode)lua_tointeger(L, 2), "msg");
  lua_pushlightuserdata(L, b);
  return 1;
}

/* 10000 levels cross; one more is a badarg, with A's stack balanced */
static void test_deep_nesting_limit (void **state) {
  two *t = *state;
  lua_State *A = t->a->L, *B = t->b->L;
  int top = lua_gettop(A), topb = lua_gettop(B);
  lua_pushcfunction(A, l_encode_top);
  push_chain(A, 10000);
  lua_pushinteger(A, OTP_COPY_MESSAGE);
  assert_int_equal(lua_pcall(A, 2, 1, 0), LUA_OK);
  otp_xbuf *b = lua_touserdata(A, -1);
  assert_int_equal(otp_xdecode(B, b, 0), LUA_OK);
  otp_xbuf_free(b);
  int depth = 0;
  while (lua_istable(B, -1)) {
    depth++;
    lua_rawgeti(B, -1, 1);
    lua_remove(B, -2);
  }
  assert_int_equal(depth, 10000);
  lua_settop(B, topb);
  lua_settop(A, top);
  lua_pushcfunction(A, l_encode_top);
  push_chain(A, 10001);
  lua_pushinteger(A, OTP_COPY_SPAWN);
  assert_int_equal(lua_pcall(A, 2, 1, 0), LUA_ERRRUN);
  expect_badarg(A, "nested more than 10000 levels deep", "msg[1][1]");
  assert_int_equal(lua_gettop(A), top + 1);
  lua_settop(A, top);
}

/* a decoded function called many times, then dropped: B's memory returns
** to where it was (after one warm-up that builds B's lists) */
static void test_decoded_values_do_not_leak (void **state) {
  two *t = *state;
  lua_State *B = t->b->L;
  const char *code = "local acc, t = {n = 0}, {1, 2, 3, s = string.rep('x', 100)}\n"
                     "local fmt = string.format\n"
                     "return function (x) acc.n = acc.n + x; return fmt('%d', acc.n) end, t";
  otp_xbuf *b = encode(t->a->L, code, OTP_COPY_SPAWN);
  assert_non_null(b);
  int top = lua_gettop(B);
  assert_int_equal(otp_xdecode(B, b, 0), LUA_OK);   /* warm-up */
  lua_settop(B, top);
  lua_gc(B, LUA_GCCOLLECT);
  lua_gc(B, LUA_GCCOLLECT);
  int base = lua_gc(B, LUA_GCCOUNT) * 1024 + lua_gc(B, LUA_GCCOUNTB);
  for (int i = 0; i < 200; i++) {
    assert_int_equal(otp_xdecode(B, b, 0), LUA_OK);
    for (int j = 1; j <= 50; j++) {
      lua_pushvalue(B, top + 1);
      lua_pushinteger(B, j);
      lua_call(B, 1, 1);
      lua_pop(B, 1);
    }
    lua_settop(B, top);
  }
  lua_gc(B, LUA_GCCOLLECT);
  lua_gc(B, LUA_GCCOLLECT);
  int after = lua_gc(B, LUA_GCCOUNT) * 1024 + lua_gc(B, LUA_GCCOUNTB);
  otp_xbuf_free(b);
  if (after > base) fail_msg("B grew from %d to %d bytes", base, after);
}

/* encode is compact: a flat 10-element message is a few bytes per element */
static void test_encoding_is_compact (void **state) {
  two *t = *state;
  otp_xbuf *b = encode(t->a->L, "return {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}", OTP_COPY_MESSAGE);
  assert_non_null(b);
  /* flags, n, tag, narr, nhash, 10 small ints, end */
  assert_int_equal(otp_xbuf_size(b), 2 + 3 + 10 + 1);
  otp_xbuf_free(b);
}

int main (void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_scalars_keep_types_and_bytes),
    T(test_nested_tables_copied),
    T(test_shared_subtable_stays_shared),
    T(test_cycles_survive),
    T(test_pids_keep_their_value),
    T(test_refs_keep_id_and_alias),
    T(test_message_function_is_badarg_with_path),
    T(test_message_metatable_is_badarg_with_path),
    T(test_message_coroutine_is_badarg_with_path),
    T(test_lenient_function_becomes_string),
    T(test_spawn_closure_with_upvalues_runs),
    T(test_spawn_recursive_function),
    T(test_spawn_shared_upvalue_cell),
    T(test_spawn_env_maps_to_destination_env),
    T(test_spawn_process_globals_map_to_env),
    T(test_spawn_module_upvalue_is_destination_module),
    T(test_spawn_unnamed_shared_table_is_badarg),
    T(test_spawn_available_c_function_crosses),
    T(test_spawn_missing_c_function_is_badarg),
    T(test_spawn_c_closure_is_badarg),
    T(test_deep_nesting_limit),
    T(test_decoded_values_do_not_leak),
    T(test_encoding_is_compact),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
