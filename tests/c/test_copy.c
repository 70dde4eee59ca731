/*
** test_copy.c
** Tests for runtime/core/copy.c in message and lenient modes: deep copies
** that keep sharing and cycles, number subtypes, refusals with a badarg
** message naming the path, and the nesting limit.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "core/copy.h"
#include "core/env.h"
#include "core/node.h"
#include "lua/lotp.h"
#include "core/proc.h"
#include "core/term.h"


/* copy(v) in the mode given by the upvalue; checks that exactly one value
** was pushed and nothing else moved */
static int l_copy (lua_State *L) {
  otp_copy_mode mode = (otp_copy_mode)lua_tointeger(L, lua_upvalueindex(1));
  lua_settop(L, 1);
  otp_copy(L, 1, mode, "msg", 0);
  assert_int_equal(lua_gettop(L), 2);
  return 1;
}

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

static void push_copier (lua_State *L, otp_copy_mode mode) {
  lua_pushinteger(L, mode);
  lua_pushcclosure(L, l_copy, 1);
}

/* Runs code as a chunk receiving (copy, lenient, deepeq); fails the test
** with Lua's message on error. */
static void run (lua_State *L, const char *name, const char *code) {
  static const char deepeq[] =
    "local function deepeq (a, b, seen)\n"
    "  if type(a) ~= 'table' or type(b) ~= 'table' then\n"
    "    return a == b and math.type(a) == math.type(b)\n"
    "  end\n"
    "  seen = seen or {}\n"
    "  if seen[a] then return seen[a] == b end\n"
    "  seen[a] = b\n"
    "  for k, v in pairs(a) do\n"
    "    if type(k) ~= 'table' and not deepeq(v, rawget(b, k), seen) then return false end\n"
    "  end\n"
    "  for k in pairs(b) do\n"
    "    if type(k) ~= 'table' and rawget(a, k) == nil then return false end\n"
    "  end\n"
    "  return true\n"
    "end\n"
    "return deepeq\n";
  int top = lua_gettop(L);
  if (luaL_loadbuffer(L, code, strlen(code), name) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  push_copier(L, OTP_COPY_MESSAGE);
  push_copier(L, OTP_COPY_LENIENT);
  if (luaL_loadbuffer(L, deepeq, sizeof deepeq - 1, "=deepeq") != LUA_OK ||
      lua_pcall(L, 0, 1, 0) != LUA_OK)
    fail_msg("%s", lua_tostring(L, -1));
  if (lua_pcall(L, 3, 0, 0) != LUA_OK) fail_msg("%s", lua_tostring(L, -1));
  assert_int_equal(lua_gettop(L), top);
}

/* Copies the value on top of L in message mode through lua_pcall; returns
** the status and leaves the copy or the error message on top (value popped). */
static int pcall_copy (lua_State *L, otp_copy_mode mode) {
  push_copier(L, mode);
  lua_insert(L, -2);
  return lua_pcall(L, 1, 1, 0);
}

/* Builds a chain of n nested tables {{{...}}} with a function (or not) in
** the innermost one, on top of L. */
static void push_chain (lua_State *L, int n) {
  lua_newtable(L);
  for (int i = 1; i < n; i++) {
    lua_newtable(L);
    lua_insert(L, -2);
    lua_rawseti(L, -2, 1);
  }
}

static int chain_depth (lua_State *L, int idx) {
  int n = 0;
  lua_pushvalue(L, idx);
  while (lua_istable(L, -1)) {
    n++;
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
  }
  lua_pop(L, 1);
  return n;
}


/* nil, booleans, numbers and strings come back as themselves */
static void test_scalars_pass_through (void **state) {
  otp_node *node = *state;
  run(node->L, "=scalars",
      "local copy = ...\n"
      "assert(copy(nil) == nil and copy(true) == true and copy(false) == false)\n"
      "assert(copy(42) == 42 and math.type(copy(42)) == 'integer')\n"
      "assert(copy(1.5) == 1.5 and math.type(copy(2.0)) == 'float')\n"
      "assert(copy('hello') == 'hello')\n");
}

/* a table is copied at every level: the copy shares no table with the original */
static void test_nested_tables_are_fresh (void **state) {
  otp_node *node = *state;
  run(node->L, "=nested",
      "local copy, _, deepeq = ...\n"
      "local t = {1, 2, {3, {4, x = 'y'}}, k = {v = {w = true}}}\n"
      "local c = copy(t)\n"
      "assert(c ~= t and c[3] ~= t[3] and c[3][2] ~= t[3][2])\n"
      "assert(c.k ~= t.k and c.k.v ~= t.k.v)\n"
      "assert(deepeq(t, c))\n"
      "c[3][2].x = 'changed'; c.k.v.w = false\n"
      "assert(t[3][2].x == 'y' and t.k.v.w == true)\n"
      "t[1] = 100\n"
      "assert(c[1] == 1)\n");
}

/* arrays, the common message: holes, pids, subtypes and a key past the
** border all survive, and an element that is a table is still copied */
static void test_arrays_copied_whole (void **state) {
  otp_node *node = *state;
  run(node->L, "=arrays",
      "local copy, _, deepeq = ...\n"
      "local t = {'token', 41, 2.0, true, 'x'}\n"
      "local c = copy(t)\n"
      "assert(c ~= t and deepeq(t, c) and math.type(c[3]) == 'float')\n"
      "local holes = {1, nil, 3}\n"
      "local h = copy(holes)\n"
      "assert(h[1] == 1 and h[2] == nil and h[3] == 3)\n"
      "local tail = {1, 2, tag = 'end'}\n"
      "assert(deepeq(copy(tail), tail))\n"
      "local sparse = {1, 2, [10] = 'far'}\n"
      "assert(deepeq(copy(sparse), sparse))\n"
      "local inner = {'call', {1, 2}, 'req'}\n"
      "local n = copy(inner)\n"
      "assert(deepeq(n, inner) and n[2] ~= inner[2])\n");
}

/* integer and float values and keys keep their subtypes */
static void test_integer_and_float_kept (void **state) {
  otp_node *node = *state;
  run(node->L, "=numbers",
      "local copy = ...\n"
      "local t = {1, 2.0, 3, [2.5] = 'f', n = 7, x = 7.0, big = math.maxinteger,\n"
      "           small = math.mininteger, inf = math.huge, neg0 = -0.0}\n"
      "local c = copy(t)\n"
      "assert(math.type(c[1]) == 'integer' and math.type(c[2]) == 'float')\n"
      "assert(math.type(c[3]) == 'integer' and c[2.5] == 'f')\n"
      "assert(math.type(c.n) == 'integer' and math.type(c.x) == 'float')\n"
      "assert(c.big == math.maxinteger and c.small == math.mininteger)\n"
      "assert(c.inf == math.huge and 1 / c.neg0 == -math.huge)\n"
      "local n = 0; for _ in pairs(c) do n = n + 1 end\n"
      "assert(n == 10)\n");
}

/* a NaN value survives (it is not equal to itself, so compare by check) */
static void test_nan_value_kept (void **state) {
  otp_node *node = *state;
  run(node->L, "=nan",
      "local copy = ...\n"
      "local c = copy({v = 0/0})\n"
      "assert(c.v ~= c.v and math.type(c.v) == 'float')\n");
}

/* a sub-table reached twice is copied once: the copy shares it too */
static void test_shared_subtable_preserved (void **state) {
  otp_node *node = *state;
  run(node->L, "=shared",
      "local copy = ...\n"
      "local s = {n = 1}\n"
      "local t = {a = s, b = s, list = {s, s}}\n"
      "local c = copy(t)\n"
      "assert(c.a ~= s and c.a == c.b and c.list[1] == c.a and c.list[2] == c.a)\n"
      "c.a.n = 2\n"
      "assert(c.b.n == 2 and c.list[2].n == 2 and s.n == 1)\n");
}

/* sharing through the array part is noticed even when the first table seen
** is a leaf (the map of seen tables is made lazily) */
static void test_shared_in_array_part (void **state) {
  otp_node *node = *state;
  run(node->L, "=shared-array",
      "local copy = ...\n"
      "local s = {}\n"
      "local c = copy({s, {s}, s})\n"
      "assert(c[1] == c[3] and c[2][1] == c[1] and c[1] ~= s)\n");
}

static void test_self_cycle_preserved (void **state) {
  otp_node *node = *state;
  run(node->L, "=cycle",
      "local copy = ...\n"
      "local t = {name = 't'}; t.self = t\n"
      "local c = copy(t)\n"
      "assert(c ~= t and c.self == c and c.name == 't')\n");
}

static void test_mutual_cycle_preserved (void **state) {
  otp_node *node = *state;
  run(node->L, "=cycle2",
      "local copy = ...\n"
      "local a, b = {}, {}\n"
      "a.b = b; b.a = a; a[1] = a; b[1] = b\n"
      "local c = copy({a, b})\n"
      "local ca, cb = c[1], c[2]\n"
      "assert(ca ~= a and cb ~= b)\n"
      "assert(ca.b == cb and cb.a == ca and ca[1] == ca and cb[1] == cb)\n");
}

/* a table met again only after more tables than a tree copy lists (16)
** is still shared in the copy, and a cycle that closes that deep too */
static void test_sharing_found_after_many_tables (void **state) {
  otp_node *node = *state;
  run(node->L, "=shared-late",
      "local copy = ...\n"
      "local s = {n = 1}\n"
      "local t = {s}\n"
      "for i = 2, 40 do t[i] = {i} end\n"
      "t[41] = s\n"
      "local deep = t\n"
      "for i = 1, 30 do deep.next = {depth = i}; deep = deep.next end\n"
      "deep.back = t\n"
      "local c = copy(t)\n"
      "assert(c[1] ~= s and c[1] == c[41] and c[1].n == 1)\n"
      "for i = 2, 40 do assert(c[i] ~= t[i] and c[i][1] == i) end\n"
      "local d = c\n"
      "for i = 1, 30 do d = d.next; assert(d.depth == i) end\n"
      "assert(d.back == c)\n");
}

/* a table that is both a key and a value, met the second time as a key */
static void test_table_as_value_then_key_shared (void **state) {
  otp_node *node = *state;
  run(node->L, "=value-then-key",
      "local copy = ...\n"
      "local k = {id = 1}\n"
      "local c = copy({k, {[k] = 'v'}})\n"
      "assert(c[1] ~= k and c[2][c[1]] == 'v' and c[2][k] == nil)\n");
}

/* table keys are copied too, and keep their identity with equal values */
static void test_table_keys_copied_and_shared (void **state) {
  otp_node *node = *state;
  run(node->L, "=keys",
      "local copy = ...\n"
      "local k = {id = 1}\n"
      "local t = {[k] = 'v', same = k}\n"
      "local c = copy(t)\n"
      "assert(c[k] == nil)\n"
      "local ck = c.same\n"
      "assert(ck ~= k and ck.id == 1 and c[ck] == 'v')\n");
}

/* integer keys 1..n that live in the hash part are all copied */
static void test_hash_part_integer_keys_copied (void **state) {
  otp_node *node = *state;
  run(node->L, "=hash-ints",
      "local copy, _, deepeq = ...\n"
      "local t = {}\n"
      "for i = 20, 1, -1 do t[i] = i * 10 end\n"   /* filled backwards: hash part */
      "t[22] = 'gap'; t.x = 'y'\n"
      "local c = copy(t)\n"
      "assert(deepeq(t, c))\n"
      "for i = 1, 20 do assert(c[i] == i * 10) end\n"
      "local t2 = {1, 2, nil, 4, nil, nil, 7}\n"  /* holes */
      "assert(deepeq(t2, copy(t2)))\n"
      "local t3 = {1, 2, 3}; t3[2] = nil\n"
      "assert(deepeq(t3, copy(t3)))\n");
}

/* boolean keys, float keys and string keys that look like numbers */
static void test_unusual_keys_copied (void **state) {
  otp_node *node = *state;
  run(node->L, "=odd-keys",
      "local copy, _, deepeq = ...\n"
      "local t = {[true] = 1, [false] = 0, [0.5] = 'half', ['1'] = 's', [1] = 'i',\n"
      "           [-3] = 'neg', [0] = 'zero'}\n"
      "local c = copy(t)\n"
      "assert(deepeq(t, c))\n"
      "assert(c['1'] == 's' and c[1] == 'i' and c[-3] == 'neg' and c[0] == 'zero')\n");
}

/* strings are immutable: the copy may share them, and here it does */
static void test_strings_shared_not_duplicated (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  lua_createtable(L, 1, 0);
  lua_pushstring(L, "a long string that is certainly longer than forty bytes");
  lua_rawseti(L, -2, 1);
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_OK);
  lua_rawgeti(L, -1, 1);
  lua_pushstring(L, "a long string that is certainly longer than forty bytes");
  assert_true(lua_rawequal(L, -1, -2));
  lua_pop(L, 3);
}

/* pids and refs cross by identity: the copy holds the same userdata */
static void test_pids_and_refs_kept_by_identity (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  otp_proc *p = otp_proc_new(node, L, OTP_PID_NONE);
  assert_non_null(p);
  lua_createtable(L, 2, 0);
  otp_proc_push_pid(L, p);
  lua_rawseti(L, -2, 1);
  uint64_t id = otp_new_ref(L, 1);
  lua_rawseti(L, -2, 2);
  lua_pushvalue(L, -1);
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_OK);
  assert_false(lua_rawequal(L, -1, -2));
  lua_rawgeti(L, -1, 1);
  otp_proc_push_pid(L, p);
  assert_true(lua_rawequal(L, -1, -2));
  assert_int_equal(otp_to_pid(L, -1), p->pid);
  lua_pop(L, 2);
  lua_rawgeti(L, -1, 2);
  assert_int_equal(otp_to_ref(L, -1), id);
  lua_rawgeti(L, -3, 2);
  assert_true(lua_rawequal(L, -1, -2));
  lua_settop(L, top);
  otp_proc_discard(node, p);
}

/* the C API: the copy is pushed, the original stays, nothing else changes */
static void test_copy_pushes_one_value (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  lua_pushinteger(L, 99);                 /* something below, untouched */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "v");
  lua_setfield(L, -2, "k");
  otp_copy(L, -1, OTP_COPY_MESSAGE, "msg", 0);
  assert_int_equal(lua_gettop(L), top + 3);
  assert_true(lua_istable(L, -1) && lua_istable(L, -2) && !lua_rawequal(L, -1, -2));
  assert_int_equal(lua_getfield(L, -1, "k"), LUA_TSTRING);
  assert_string_equal(lua_tostring(L, -1), "v");
  assert_int_equal(lua_tointeger(L, top + 1), 99);
  lua_settop(L, top);
  lua_pushnumber(L, 2.5);                 /* a scalar: pushed as it is */
  otp_copy(L, -1, OTP_COPY_MESSAGE, "msg", 0);
  assert_int_equal(lua_gettop(L), top + 2);
  assert_true(lua_rawequal(L, -1, -2));
  lua_settop(L, top);
}

/* a function inside a message raises "badarg: ..." naming where it was */
static void test_function_in_message_is_badarg_with_path (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  luaL_loadstring(L, "return {items = {1, 2, function () end}}");
  lua_call(L, 0, 1);
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_ERRRUN);
  const char *msg = lua_tostring(L, -1);
  assert_non_null(msg);
  assert_true(strncmp(msg, "badarg:", 7) == 0);
  if (!strstr(msg, "msg.items[3]")) fail_msg("no path in: %s", msg);
  if (!strstr(msg, "function")) fail_msg("does not say what: %s", msg);
  lua_settop(L, top);
}

/* a function as the whole message: the path is the root name */
static void test_function_at_root_is_badarg (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  luaL_loadstring(L, "return 1");
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_ERRRUN);
  const char *msg = lua_tostring(L, -1);
  assert_true(strncmp(msg, "badarg:", 7) == 0);
  if (!strstr(msg, "(at msg)")) fail_msg("no root path in: %s", msg);
  lua_settop(L, top);
}

/* string-keyed paths are dotted, a function key is named by its type */
static void test_badarg_paths_for_keys (void **state) {
  otp_node *node = *state;
  run(node->L, "=paths",
      "local copy = ...\n"
      "local ok, e = pcall(copy, {a = {b = {c = print}}})\n"
      "assert(not ok and e:find('^badarg:') and e:find('msg.a.b.c', 1, true), e)\n"
      "ok, e = pcall(copy, {[print] = 1})\n"
      "assert(not ok and e:find('^badarg:') and e:find('function', 1, true), e)\n"
      "ok, e = pcall(copy, {list = {{}, {x = coroutine.create(print)}}})\n"
      "assert(not ok and e:find('msg.list[2].x', 1, true) and e:find('coroutine'), e)\n");
}

/* other values that cannot cross: each is a badarg saying what it was */
static void test_unsendable_values_are_badarg (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  struct { const char *what; } cases[] = {{"coroutine"}, {"userdata"},
                                          {"light userdata"}, {"metatable"}};
  for (int i = 0; i < 4; i++) {
    lua_createtable(L, 0, 1);
    switch (i) {
      case 0: lua_newthread(L); break;
      case 1: lua_newuserdatauv(L, 8, 0); break;
      case 2: lua_pushlightuserdata(L, &cases[i]); break;
      case 3:
        lua_newtable(L);
        lua_newtable(L);
        lua_setmetatable(L, -2);
        break;
    }
    lua_setfield(L, -2, "v");
    assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_ERRRUN);
    const char *msg = lua_tostring(L, -1);
    assert_true(strncmp(msg, "badarg:", 7) == 0);
    if (!strstr(msg, cases[i].what) || !strstr(msg, "msg.v"))
      fail_msg("case %s: %s", cases[i].what, msg);
    lua_settop(L, top);
  }
}

/* a process's globals table is refused by name */
static void test_process_globals_are_badarg (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  otp_proc *p = otp_proc_new(node, L, OTP_PID_NONE);
  assert_non_null(p);
  otp_proc_push_env(L, p);
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_ERRRUN);
  const char *msg = lua_tostring(L, -1);
  assert_true(strncmp(msg, "badarg:", 7) == 0);
  if (!strstr(msg, "globals")) fail_msg("%s", msg);
  lua_settop(L, top);
  otp_proc_discard(node, p);
}

/* a read-only shared (module) table crosses by identity, not copied */
static void test_shared_readonly_table_by_identity (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  lua_createtable(L, 0, 1);
  lua_pushinteger(L, 1);
  lua_setfield(L, -2, "version");
  otp_env_readonly(L, -1);
  int proxy = lua_gettop(L);
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, proxy);
  lua_setfield(L, -2, "mod");
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_OK);
  lua_getfield(L, -1, "mod");
  assert_true(lua_rawequal(L, -1, proxy));
  lua_settop(L, top);
}

/* lenient mode turns what cannot be sent into a string and never raises */
static void test_lenient_function_becomes_string (void **state) {
  otp_node *node = *state;
  run(node->L, "=lenient",
      "local _, lenient = ...\n"
      "local c = lenient({reason = 'bad', f = function () end, n = 3})\n"
      "assert(type(c.f) == 'string' and c.f:find('function'), tostring(c.f))\n"
      "assert(c.reason == 'bad' and c.n == 3)\n"
      "local top = lenient(print)\n"
      "assert(type(top) == 'string' and top:find('function'))\n");
}

static void test_lenient_never_raises (void **state) {
  otp_node *node = *state;
  run(node->L, "=lenient2",
      "local _, lenient = ...\n"
      "local t = {co = coroutine.create(print), mt = setmetatable({}, {}),\n"
      "           ud = io.stdout, nested = {{{print}}}}\n"
      "t.self = t\n"
      "local ok, c = pcall(lenient, t)\n"
      "assert(ok, c)\n"
      "assert(type(c.co) == 'string' and c.co:find('coroutine'))\n"
      "assert(type(c.mt) == 'string' and c.mt:find('metatable'))\n"
      "assert(type(c.ud) == 'string' and c.ud:find('userdata'))\n"
      "assert(type(c.nested[1][1][1]) == 'string')\n"
      "assert(c.self == c)\n");
}

/* exactly 10000 nested tables are accepted and copied whole */
static void test_depth_10000_accepted (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  push_chain(L, 10000);
  lua_pushvalue(L, -1);
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_OK);
  assert_false(lua_rawequal(L, -1, -2));
  assert_int_equal(chain_depth(L, -1), 10000);
  lua_settop(L, top);
}

/* one level deeper is refused in message mode */
static void test_depth_beyond_10000_refused (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  push_chain(L, 10001);
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_ERRRUN);
  const char *msg = lua_tostring(L, -1);
  assert_true(strncmp(msg, "badarg:", 7) == 0);
  if (!strstr(msg, "10000")) fail_msg("%.200s", msg);
  lua_settop(L, top);
  /* the state is still usable afterwards */
  push_chain(L, 3);
  assert_int_equal(pcall_copy(L, OTP_COPY_MESSAGE), LUA_OK);
  assert_int_equal(chain_depth(L, -1), 3);
  lua_settop(L, top);
}

/* lenient mode cuts an over-deep value with a string instead of raising */
static void test_depth_beyond_10000_lenient_cut (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  int top = lua_gettop(L);
  push_chain(L, 10005);
  assert_int_equal(pcall_copy(L, OTP_COPY_LENIENT), LUA_OK);
  assert_int_equal(chain_depth(L, -1), 10000);
  lua_pushvalue(L, -1);
  for (int i = 0; i < 10000; i++) {
    lua_rawgeti(L, -1, 1);
    lua_remove(L, -2);
  }
  assert_int_equal(lua_type(L, -1), LUA_TSTRING);
  lua_settop(L, top);
}

int main (void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_scalars_pass_through),
    T(test_nested_tables_are_fresh),
    T(test_arrays_copied_whole),
    T(test_integer_and_float_kept),
    T(test_nan_value_kept),
    T(test_shared_subtable_preserved),
    T(test_shared_in_array_part),
    T(test_self_cycle_preserved),
    T(test_mutual_cycle_preserved),
    T(test_table_keys_copied_and_shared),
    T(test_sharing_found_after_many_tables),
    T(test_table_as_value_then_key_shared),
    T(test_hash_part_integer_keys_copied),
    T(test_unusual_keys_copied),
    T(test_strings_shared_not_duplicated),
    T(test_pids_and_refs_kept_by_identity),
    T(test_copy_pushes_one_value),
    T(test_function_in_message_is_badarg_with_path),
    T(test_function_at_root_is_badarg),
    T(test_badarg_paths_for_keys),
    T(test_unsendable_values_are_badarg),
    T(test_process_globals_are_badarg),
    T(test_shared_readonly_table_by_identity),
    T(test_lenient_function_becomes_string),
    T(test_lenient_never_raises),
    T(test_depth_10000_accepted),
    T(test_depth_beyond_10000_refused),
    T(test_depth_beyond_10000_lenient_cut),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
