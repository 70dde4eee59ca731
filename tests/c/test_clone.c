/*
** test_clone.c
** Tests for runtime/core/clone.c (fresh closures of a prototype)
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "core/clone.h"


/* clone(f) -> new closure with fresh cells holding f's upvalue values */
static int l_clone (lua_State *L) {
  int top = lua_gettop(L);
  if (otp_clone(L, 1) != 0) return lua_error(L);
  assert_int_equal(lua_gettop(L), top + 1);
  return 1;
}

/* factory(f) -> F, or nil and message */
static int l_factory (lua_State *L) {
  int top = lua_gettop(L);
  int r = otp_clone_factory(L, 1);
  assert_int_equal(lua_gettop(L), top + 1);
  if (r != 0) {
    assert_int_equal(r, -1);
    assert_int_equal(lua_type(L, -1), LUA_TSTRING);
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  assert_int_equal(lua_type(L, -1), LUA_TFUNCTION);
  return 1;
}

static int setup (void **state) {
  lua_State *L = luaL_newstate();
  if (L == NULL) return -1;
  luaL_openlibs(L);
  lua_register(L, "clone", l_clone);
  lua_register(L, "factory", l_factory);
  *state = L;
  return 0;
}

static int teardown (void **state) {
  lua_close((lua_State *)*state);
  return 0;
}

/* run a chunk named 'name'; fail the test with Lua's message on error */
static void run (lua_State *L, const char *name, const char *code) {
  int top = lua_gettop(L);
  if (luaL_loadbuffer(L, code, strlen(code), name) != LUA_OK ||
      lua_pcall(L, 0, 0, 0) != LUA_OK)
    fail_msg("%s", lua_tostring(L, -1));
  assert_int_equal(lua_gettop(L), top);
}


/* parent assigns after cloning: child unaffected, and vice versa */
static void test_fresh_upvalues (void **state) {
  lua_State *L = *state;
  run(L, "=fresh",
      "local count = 0\n"
      "local function bump (d) if d then count = count + d end return count end\n"
      "local c = clone(bump)\n"
      "assert(c ~= bump and c() == 0)\n"
      "assert(bump(10) == 10 and c() == 0)\n"   /* parent -> child */
      "assert(c(5) == 5 and bump() == 10)\n"    /* child -> parent */
      "count = 100\n"
      "assert(bump() == 100 and c() == 5)\n"
      "local c2 = clone(bump)\n"                /* takes current values */
      "assert(c2() == 100 and c2(1) == 101 and bump() == 100)\n"
      "local cc = clone(c)\n"                  /* clone of a clone */
      "assert(cc() == 5 and cc(1) == 6 and c() == 5)\n"
      "assert(factory(cc) == factory(bump) and factory(c) == factory(bump))\n");
}

/* the factory itself: explicit initial values, separate cells per call */
static void test_factory_calls (void **state) {
  lua_State *L = *state;
  int top;
  run(L, "=fac",
      "local a, b = 1, 2\n"
      "function pair (x, y) if x then a, b = x, y end return a, b end\n");
  lua_getglobal(L, "pair");
  top = lua_gettop(L);
  assert_int_equal(otp_clone_factory(L, -1), 0);
  assert_int_equal(lua_gettop(L), top + 1);
  assert_true(lua_isfunction(L, -1) && !lua_rawequal(L, -1, -2));
  lua_setglobal(L, "F");
  lua_pop(L, 1);
  run(L, "=fac2",
      "local c1, c2 = F(10, 20), F(30)\n"
      "local x, y = c1(); assert(x == 10 and y == 20)\n"
      "x, y = c2(); assert(x == 30 and y == nil)\n"
      "c1(11, 21)\n"
      "x, y = c2(); assert(x == 30 and y == nil)\n"
      "x, y = pair(); assert(x == 1 and y == 2)\n"
      "c2(7, 8); x, y = c1(); assert(x == 11 and y == 21)\n"
      "local c3 = F(1, 2, 3, 4)\n"              /* extra arguments ignored */
      "x, y = c3(); assert(x == 1 and y == 2)\n");
}

/* same closure or same prototype -> same (cached) factory */
static void test_cache (void **state) {
  lua_State *L = *state;
  run(L, "=cache",
      "local function mk (v) return function () return v end end\n"
      "local a, b = mk(1), mk(2)\n"
      "local fa = factory(a)\n"
      "assert(factory(a) == fa)\n"
      "assert(factory(b) == fa)\n"
      "assert(factory(function () return a end) ~= fa)\n"
      "local first\n"
      "for i = 1, 100 do\n"                    /* spawn(function ...) loop */
      "  local F = factory(function () return i end)\n"
      "  first = first or F\n"
      "  assert(F == first and F(i)() == i)\n"
      "end\n"
      "collectgarbage(); collectgarbage()\n"
      "assert(factory(a) == fa and factory(mk(3)) == fa)\n"
      "assert(fa(42)() == 42 and a() == 1)\n");
}

/* nested closures, recursive local function, upvalues of children */
static void test_nested_and_recursive (void **state) {
  lua_State *L = *state;
  int top;
  run(L, "=nested",
      "local base = 10\n"
      "function setbase (v) base = v end\n"
      "function outer (x)\n"
      "  local function add (a) return a + base end\n"
      "  local mk = function () return function () return add(x) end end\n"
      "  return mk()()\n"
      "end\n"
      "local function fact (n) if n <= 1 then return 1 end\n"
      "  return n * fact(n - 1) end\n"
      "gfact = fact\n");
  run(L, "=nested2",
      "local c = clone(outer)\n"
      "assert(c(1) == 11)\n"
      "setbase(100)\n"
      "assert(outer(1) == 101 and c(1) == 11)\n"
      "assert(debug.getupvalue(c, 1) == 'base')\n"
      "debug.setupvalue(c, 1, 5)\n"
      "assert(c(1) == 6 and outer(1) == 101)\n");
  /* a recursive clone must refer to itself */
  lua_getglobal(L, "gfact");
  top = lua_gettop(L);
  assert_int_equal(otp_clone(L, top), 0);
  assert_int_equal(lua_gettop(L), top + 1);
  lua_pushvalue(L, -1);
  assert_string_equal(lua_setupvalue(L, -2, 1), "fact");
  lua_setglobal(L, "cfact");
  lua_pop(L, 1);
  run(L, "=nested3",
      "assert(cfact(5) == 120)\n"
      "debug.setupvalue(gfact, 1, function () error('orig') end)\n"
      "assert(not pcall(gfact, 5))\n"
      "assert(cfact(6) == 720)\n");
}

/* the clone keeps the original chunk name and lines */
static void test_debug_info (void **state) {
  lua_State *L = *state;
  run(L, "@clonesrc.lua",
      "local n = 0\n"
      "function boom (x)\n"
      "  n = n + 1\n"
      "  if x then error('boom') end\n"
      "  return n\n"
      "end\n"
      "function nest () return (function () error('inner') end)() end\n");
  run(L, "=dbg",
      "local c = clone(boom)\n"
      "local i = debug.getinfo(c, 'S')\n"
      "assert(i.source == '@clonesrc.lua', i.source)\n"
      "assert(i.short_src == 'clonesrc.lua')\n"
      "assert(i.linedefined == 2 and i.lastlinedefined == 6)\n"
      "assert(i.what == 'Lua')\n"
      "local ok, msg = pcall(c, true)\n"
      "assert(not ok and msg == 'clonesrc.lua:4: boom', msg)\n"
      "local tb\n"
      "ok = xpcall(c, function (m) tb = debug.traceback(m) end, true)\n"
      "assert(not ok and tb:find('clonesrc.lua:4: in function', 1, true), tb)\n"
      "ok, msg = pcall(clone(nest))\n"         /* nested: source inherited */
      "assert(not ok and msg == 'clonesrc.lua:7: inner', msg)\n"
      "local name = debug.getupvalue(c, 1)\n"
      "assert(name == 'n')\n"
      /* a stripped function has no source: '=?' like the original */
      "local s = load(string.dump(boom, true))\n"
      "debug.setupvalue(s, 1, 0)\n"
      "local cs = clone(s)\n"
      "assert(debug.getinfo(cs, 'S').source == '=?')\n"
      "assert(cs() == 1 and cs() == 2 and s() == 1)\n");
}

static void test_vararg (void **state) {
  lua_State *L = *state;
  run(L, "=va",
      "local k = 7\n"
      "local function va (...) k = k + 1; return select('#', ...) + k, ... end\n"
      "local c = clone(va)\n"
      "local n, a, b = c('x', nil, 'z')\n"
      "assert(n == 11 and a == 'x' and b == nil)\n"
      "assert(va() == 8 and c() == 9 and va() == 9)\n"
      "assert(select('#', c(1, 2, 3, 4, 5)) == 6)\n");
}

/* upvalues that were <close> or <const> locals in the parent */
static void test_tbc_and_const (void **state) {
  lua_State *L = *state;
  run(L, "=tbc",
      "local closed = 0\n"
      "local function mk ()\n"
      "  local r <close> = setmetatable({}, {__close = function ()\n"
      "    closed = closed + 1 end})\n"
      "  local k <const> = {1}\n"
      "  local function get () return r, k end\n"
      "  local c = clone(get)\n"
      "  local r1, k1 = c()\n"
      "  assert(r1 == r and k1 == k)\n"
      "  return c, get\n"
      "end\n"
      "local c, get = mk()\n"
      "assert(closed == 1)\n"           /* the parent's variable, once */
      "local r1, k1 = c(); local r2, k2 = get()\n"
      "assert(r1 == r2 and k1 == k2 and k1[1] == 1)\n"
      "debug.setupvalue(c, 2, 'x')\n"
      "r1, k1 = c(); r2, k2 = get()\n"
      "assert(k1 == 'x' and type(k2) == 'table')\n"
      "collectgarbage()\n"
      "assert(closed == 1)\n");
}

static void test_zero_upvalues (void **state) {
  lua_State *L = *state;
  run(L, "=zero",
      "local function add (a, b) return a + b end\n"
      "assert(debug.getinfo(add, 'u').nups == 0)\n"
      "local F = factory(add)\n"
      "local c1, c2 = F(), clone(add)\n"
      "assert(c1 ~= add and c2 ~= add and c1 ~= c2)\n"
      "assert(c1(1, 2) == 3 and c2(3, 4) == 7)\n"
      "assert(factory(c1) == F)\n");  /* a clone has the same prototype */
}

/* a function with k upvalues (k/2 from each of two enclosing levels) */
static const char gen_code[] =
  "function gen (k)\n"
  "  local a, A, B, VA, VB = k // 2, {}, {}, {}, {}\n"
  "  for i = 1, a do A[i] = 'a' .. i; VA[i] = tostring(i) end\n"
  "  for i = a + 1, k do B[#B + 1] = 'b' .. i; VB[#VB + 1] = tostring(i) end\n"
  "  local all = table.concat(A, '+') .. '+' .. table.concat(B, '+')\n"
  "  local src = 'local ' .. table.concat(A, ',') .. ' = ' ..\n"
  "    table.concat(VA, ',') .. '\\nreturn function () local ' ..\n"
  "    table.concat(B, ',') .. ' = ' .. table.concat(VB, ',') ..\n"
  "    '\\nreturn function (set) if set then a1 = set end return ' ..\n"
  "    all .. ' end end'\n"
  "  local f = assert(load(src, '=gen' .. k))()()\n"
  "  assert(debug.getinfo(f, 'u').nups == k)\n"
  "  return f\n"
  "end\n"
  "function check (k, spliced)\n"
  "  local f = gen(k)\n"
  "  local sum = k * (k + 1) // 2\n"
  "  local F = factory(f)\n"
  "  assert(F == factory(f) and F == factory(gen(k)))\n"
  "  assert(debug.getinfo(F, 'S').what == (spliced and 'main' or 'C'))\n"
  "  local c = clone(f)\n"
  "  assert(c() == sum and f() == sum)\n"
  "  assert(c(1001) == sum + 1000 and f() == sum)\n"
  "  assert(f(2001) == sum + 2000 and c() == sum + 1000)\n"
  "  assert(factory(c) == F)\n"      /* clones share the factory */
  "  local c2 = F()\n"               /* all nil: a1 + nil must fail */
  "  assert(not pcall(c2))\n"
  "  assert(debug.getinfo(c, 'u').nups == k)\n"
  "  assert(debug.getupvalue(c, k) == 'b' .. k)\n"
  "end\n";

static void test_many_upvalues (void **state) {
  lua_State *L = *state;
  run(L, "=gen", gen_code);
  run(L, "=many",
      "check(2, true)\n"
      "check(199, true)\n"
      "check(200, true)\n"            /* largest spliced factory */
      "check(201, false)\n"           /* reload fallback */
      "check(255, false)\n");         /* MAXUPVAL */
}

/* a large function using every constant type, long strings, multi-byte
** sizes and absolute line info: exercises all of the chunk parser */
static void test_chunk_shapes (void **state) {
  lua_State *L = *state;
  run(L, "=shapes",
      "local parts = {('\\n'):rep(300), 'local up = 0\\nfunction shapes (x)\\n'}\n"
      "local expect = 0\n"
      "for i = 1, 60 do\n"
      "  parts[#parts + 1] = ('  do local t = {}; t.a = nil; t.b = false; '\n"
      "    .. 't.c = true; t.d = %d; t.e = %d.5; t.f = \"s%d\"; t.g = \"%s\"; '\n"
      "    .. 'up = up + t.d + #t.g end\\n'):format(i * 1000003, i, i,\n"
      "    ('L'):rep(50 + i))\n"
      "  parts[#parts + 1] = ('\\n'):rep(i * 10)\n"
      "  expect = expect + i * 1000003 + 50 + i\n"
      "end\n"
      "parts[#parts + 1] = '  if x == \"err\" then error(\"late\") end\\n'\n"
      "  .. '  return up\\nend\\n'\n"
      "assert(load(table.concat(parts), '@shapes.lua'))()\n"
      "local c = clone(shapes)\n"
      "assert(c() == expect and c() == 2 * expect and shapes() == expect)\n"
      "local i1, i2 = debug.getinfo(shapes, 'SL'), debug.getinfo(c, 'SL')\n"
      "assert(i1.linedefined == 302 and i2.linedefined == 302)\n"
      "assert(i1.lastlinedefined == i2.lastlinedefined)\n"
      "for l in pairs(i1.activelines) do assert(i2.activelines[l]) end\n"
      "for l in pairs(i2.activelines) do assert(i1.activelines[l]) end\n"
      "local _, m1 = pcall(shapes, 'err')\n"
      "local _, m2 = pcall(c, 'err')\n"
      "assert(m1 == m2 and m1:find('^shapes.lua:%d+: late$'), m2)\n"
      "assert(#string.dump(c) == #string.dump(shapes))\n");
}

static void test_errors (void **state) {
  lua_State *L = *state;
  int top = lua_gettop(L);
  lua_getglobal(L, "print");
  assert_int_equal(otp_clone_factory(L, -1), -1);
  assert_int_equal(lua_gettop(L), top + 2);
  assert_int_equal(lua_type(L, -1), LUA_TSTRING);
  assert_non_null(strstr(lua_tostring(L, -1), "C function"));
  lua_pop(L, 1);
  assert_int_equal(otp_clone(L, -1), -1);
  assert_int_equal(lua_gettop(L), top + 2);
  lua_pop(L, 2);
  lua_pushinteger(L, 42);
  assert_int_equal(otp_clone_factory(L, -1), -1);
  assert_non_null(strstr(lua_tostring(L, -1), "number"));
  lua_pop(L, 2);
  lua_pushnil(L);
  assert_int_equal(otp_clone_factory(L, -1), -1);
  lua_pop(L, 2);
  assert_int_equal(lua_gettop(L), top);
  run(L, "=err",
      "local F, msg = factory(string.format)\n"
      "assert(F == nil and msg:find('C function'))\n"
      "assert(not pcall(clone, {}))\n");
}

/* clones run inside coroutines and survive their creator */
static void test_coroutine (void **state) {
  lua_State *L = *state;
  run(L, "=co",
      "local n = 0\n"
      "local function step () while true do n = n + 1; coroutine.yield(n) end end\n"
      "local co1 = coroutine.wrap(clone(step))\n"
      "local co2 = coroutine.wrap(clone(step))\n"
      "assert(co1() == 1 and co1() == 2 and co2() == 1 and n == 0)\n"
      "collectgarbage()\n"
      "assert(co2() == 2 and co1() == 3)\n");
}

int main (void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_fresh_upvalues, setup, teardown),
    cmocka_unit_test_setup_teardown(test_factory_calls, setup, teardown),
    cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
    cmocka_unit_test_setup_teardown(test_nested_and_recursive, setup, teardown),
    cmocka_unit_test_setup_teardown(test_debug_info, setup, teardown),
    cmocka_unit_test_setup_teardown(test_vararg, setup, teardown),
    cmocka_unit_test_setup_teardown(test_tbc_and_const, setup, teardown),
    cmocka_unit_test_setup_teardown(test_zero_upvalues, setup, teardown),
    cmocka_unit_test_setup_teardown(test_many_upvalues, setup, teardown),
    cmocka_unit_test_setup_teardown(test_chunk_shapes, setup, teardown),
    cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
    cmocka_unit_test_setup_teardown(test_coroutine, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
