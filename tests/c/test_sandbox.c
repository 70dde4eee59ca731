/*
** test_sandbox.c
** Tests for runtime/sandbox/sandbox.c without any process running: a
** sandbox's state is its own, restricted, and closing it returns every byte;
** names are unique; the process and CPU limits answer as documented.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <lua.h>
#include <lauxlib.h>

#include "core/node.h"
#include "lua/lotp.h"
#include "core/proc.h"
#include "core/sched.h"
#include "sandbox/sandbox.h"

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

static otp_sandbox *make (otp_node *node, const char *name, otp_sandbox_limits lim) {
  char err[160];
  otp_sandbox *sb = otp_sandbox_create(node, name, &lim, err, sizeof err);
  assert_non_null(sb);
  return sb;
}

/* Runs code in sb's state; returns its first result as a string (or "nil"). */
static const char *eval (otp_sandbox *sb, const char *code) {
  lua_State *L = sb->vm.L;
  lua_settop(L, 0);
  if (luaL_loadstring(L, code) != LUA_OK || lua_pcall(L, 0, 1, 0) != LUA_OK)
    return lua_tostring(L, -1);
  return lua_isnil(L, -1) ? "nil" : luaL_tolstring(L, -1, NULL);
}

static void state_is_its_own_and_memory_returns_on_close (void **state) {
  otp_node *node = *state;
  size_t before = node->mem_total;
  otp_sandbox *sb = make(node, "a", (otp_sandbox_limits){0});
  assert_ptr_not_equal(sb->vm.L, node->L);
  assert_ptr_equal(otp_vm_of(sb->vm.L), &sb->vm);
  assert_true(sb->vm.mem_total > 0);
  assert_int_equal(node->mem_total, before + sb->vm.mem_total);
  eval(sb, "big = string.rep('x', 1 << 20)");
  assert_true(sb->vm.mem_total > 1 << 20);
  otp_sandbox_close(sb);
  assert_null(sb->vm.L);
  assert_int_equal(node->mem_total, before);
  otp_sandbox_destroy(sb);
  assert_null(otp_sandbox_find(node, "a"));
}

static void library_is_restricted (void **state) {
  otp_sandbox *sb = make(*state, "r", (otp_sandbox_limits){0});
  assert_string_equal(eval(sb, "return io"), "nil");
  assert_string_equal(eval(sb, "return debug"), "nil");
  assert_string_equal(eval(sb, "return dofile"), "nil");
  assert_string_equal(eval(sb, "return loadfile"), "nil");
  assert_string_equal(eval(sb, "return os.execute"), "nil");
  assert_string_equal(eval(sb, "return type(os.time)"), "function");
  assert_string_equal(eval(sb, "return package.loadlib"), "nil");
  assert_string_equal(eval(sb, "return package.loaded.io"), "nil");
  assert_string_equal(eval(sb, "return package.cpath"), "");
  assert_string_equal(eval(sb, "return type(collectgarbage('count'))"), "number");
  assert_non_null(strstr(eval(sb, "return collectgarbage('stop')"), "badarg:"));
  assert_non_null(strstr(eval(sb, "package.path = '/tmp/?.lua'"), "badarg:"));
}

static void allow_gives_io_or_os_back (void **state) {
  otp_sandbox *sb = make(*state, "io", (otp_sandbox_limits){.allow = OTP_VM_ALLOW_IO});
  assert_string_equal(eval(sb, "return type(io.write)"), "function");
  assert_string_equal(eval(sb, "return os.execute"), "nil");
  sb = make(*state, "os", (otp_sandbox_limits){.allow = OTP_VM_ALLOW_OS});
  assert_string_equal(eval(sb, "return type(os.getenv)"), "function");
  assert_string_equal(eval(sb, "return debug"), "nil");
}

static void names_are_unique (void **state) {
  otp_node *node = *state;
  make(node, "same", (otp_sandbox_limits){0});
  char err[160];
  otp_sandbox_limits lim = {0};
  assert_null(otp_sandbox_create(node, "same", &lim, err, sizeof err));
  assert_string_equal(err, "already_exists");
}

static void reopen_is_a_fresh_state_with_the_same_limits (void **state) {
  otp_sandbox *sb = make(*state, "re", (otp_sandbox_limits){.max_processes = 7});
  eval(sb, "x = 42");
  uint32_t id = sb->id;
  char err[160];
  assert_int_equal(otp_sandbox_reopen(sb, err, sizeof err), 0);
  assert_string_equal(eval(sb, "return x"), "nil");
  assert_int_equal(sb->restarts, 1);
  assert_int_equal(sb->id, id);
  assert_int_equal(sb->limits.max_processes, 7);
  assert_int_equal(sb->vm.sandbox_id, id);
}

static void admit_stops_at_max_processes (void **state) {
  otp_node *node = *state;
  otp_sandbox *sb = make(node, "p", (otp_sandbox_limits){.max_processes = 2});
  assert_int_equal(otp_sandbox_admit(&sb->vm), 0);
  sb->vm.nprocs = 2;
  assert_int_equal(otp_sandbox_admit(&sb->vm), -1);
  sb->vm.nprocs = 0;
  assert_int_equal(otp_sandbox_admit(&node->main), 0);   /* the host: no limit */
}

static void cpu_budget_is_per_process_per_second (void **state) {
  otp_sandbox *sb = make(*state, "c", (otp_sandbox_limits){.max_reductions = 1000});
  otp_proc p = {.vm = &sb->vm};
  uint64_t t = 5000000000u;                     /* 5 s */
  assert_int_equal(otp_sched_over_budget(&p, 600, t), 0);
  assert_int_equal(otp_sched_over_budget(&p, 400, t + 1000), 0);
  assert_int_equal(otp_sched_over_budget(&p, 1, t + 2000), 1);
  assert_int_equal(otp_sched_over_budget(&p, 900, t + 1000000000u), 0);  /* next second */
}

int main (void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(state_is_its_own_and_memory_returns_on_close),
    T(library_is_restricted),
    T(allow_gives_io_or_os_back),
    T(names_are_unique),
    T(reopen_is_a_fresh_state_with_the_same_limits),
    T(admit_stops_at_max_processes),
    T(cpu_budget_is_per_process_per_second),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
