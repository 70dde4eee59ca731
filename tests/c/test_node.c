/*
** test_node.c
** Tests for runtime/core/node.c: creating a node, starting a script as the
** first process, running it to the end (exit status), deadlock detection,
** and freeing everything (LeakSanitizer checks the teardown).
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>

#include "core/node.h"
#include "lua/lotp.h"


/* Writes code to a new temporary .lua file; returns its path (malloc'd). */
static char *write_script (const char *code, size_t len) {
  char *path = strdup("/tmp/otplab_test_node_XXXXXX.lua");
  assert_non_null(path);
  int fd = mkstemps(path, 4);
  assert_true(fd >= 0);
  assert_int_equal(write(fd, code, len), (ssize_t)len);
  close(fd);
  return path;
}

static otp_node *new_node (const otp_node_config *cfg) {
  char err[256] = "";
  otp_node *node = otp_node_new(cfg, err, sizeof err);
  if (!node) fail_msg("otp_node_new: %s", err);
  return node;
}

/* Runs code as the first process of a fresh node with these arguments;
** returns otp_node_run's result. The node is freed unless keep is given. */
static int run_script_args (const otp_node_config *cfg, const char *code, int argc,
                            char **argv, otp_node **keep) {
  char *path = write_script(code, strlen(code));
  otp_node *node = new_node(cfg);
  if (otp_node_start_file(node, path, argc, argv) != 0)
    fail_msg("start_file: %s", lua_tostring(node->L, -1));
  int r = otp_node_run(node);
  unlink(path);
  free(path);
  if (keep) *keep = node;
  else otp_node_free(node);
  return r;
}

static int run_script (const char *code) {
  return run_script_args(NULL, code, 0, NULL, NULL);
}


/* a NULL config means the defaults */
static void test_new_with_null_config_uses_defaults (void **state) {
  (void)state;
  otp_node_config def;
  otp_node_config_defaults(&def);
  otp_node *node = new_node(NULL);
  assert_non_null(node->L);
  assert_int_equal(node->cfg.reductions, def.reductions);
  assert_int_equal(node->cfg.slice_ms, def.slice_ms);
  assert_int_equal(node->cfg.stuck_ms, def.stuck_ms);
  assert_int_equal(node->cfg.sandbox_stuck_ms, def.sandbox_stuck_ms);
  assert_int_equal(node->cfg.max_memory, def.max_memory);
  assert_int_equal(node->cfg.default_max_heap, def.default_max_heap);
  assert_int_equal(node->cfg.log_level, def.log_level);
  assert_int_equal(node->nprocs, 0);
  assert_ptr_equal(otp_node_of(node->L), node);
  otp_node_free(node);
}

/* a given config is taken as it is */
static void test_new_copies_config (void **state) {
  (void)state;
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cfg.reductions = 500;
  cfg.default_max_heap = 1 << 20;
  cfg.log_level = OTP_LOG_NONE;
  otp_node *node = new_node(&cfg);
  assert_int_equal(node->cfg.reductions, 500);
  assert_int_equal(node->cfg.default_max_heap, 1 << 20);
  assert_int_equal(node->cfg.log_level, OTP_LOG_NONE);
  otp_node_free(node);
}

/* freeing a node that never ran anything is clean */
static void test_free_unused_node (void **state) {
  (void)state;
  otp_node_free(new_node(NULL));
  otp_node_free(NULL);
}

static void test_script_that_returns_exits_0 (void **state) {
  (void)state;
  assert_int_equal(run_script("local x = 1 + 1\nreturn x\n"), 0);
}

static void test_empty_script_exits_0 (void **state) {
  (void)state;
  assert_int_equal(run_script(""), 0);
}

static void test_script_that_errors_exits_1 (void **state) {
  (void)state;
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cfg.log_level = OTP_LOG_NONE;            /* no crash report on stderr */
  assert_int_equal(run_script_args(&cfg, "error('boom')\n", 0, NULL, NULL), 1);
}

/* exiting with a reason other than normal is a failure, normal is success */
static void test_exit_reason_decides_status (void **state) {
  (void)state;
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cfg.log_level = OTP_LOG_NONE;
  assert_int_equal(run_script_args(&cfg, "otp.exit('shutdown')\n", 0, NULL, NULL), 1);
  assert_int_equal(run_script("otp.exit('normal')\nerror('not reached')\n"), 0);
}

/* the arguments reach the script as ... and as the arg table */
static void test_arguments_reach_script (void **state) {
  (void)state;
  char a[] = "alpha", b[] = "beta";
  char *argv[] = {a, b};
  assert_int_equal(
    run_script_args(NULL,
                    "local x, y = ...\n"
                    "assert(select('#', ...) == 2 and x == 'alpha' and y == 'beta')\n"
                    "assert(arg[1] == 'alpha' and arg[2] == 'beta' and arg[3] == nil)\n"
                    "assert(arg[0]:find('otplab_test_node_', 1, true))\n",
                    2, argv, NULL),
    0);
}

/* 1000 processes each exit; when the script ends nothing is left */
static void test_spawn_1000_all_exit (void **state) {
  (void)state;
  otp_node *node;
  int r = run_script_args(NULL,
    "local n = 1000\n"
    "for i = 1, n do otp.spawn_monitor(function () return i end) end\n"
    "for i = 1, n do\n"
    "  local m = otp.receive()\n"
    "  assert(m[1] == 'DOWN' and m[5] == 'normal')\n"
    "end\n"
    "assert(#otp.processes() == 1)\n",
    0, NULL, &node);
  assert_int_equal(r, 0);
  assert_int_equal(node->nprocs, 0);
  otp_node_free(node);
}

/* the script may end while other processes still run: freeing the node
** frees them (LeakSanitizer checks) */
static void test_free_with_live_processes (void **state) {
  (void)state;
  otp_node *node;
  int r = run_script_args(NULL,
    "local function wait () otp.receive(otp.match{'never'}) end\n"
    "for i = 1, 200 do otp.spawn(wait) end\n"
    "for i = 1, 50 do\n"
    "  local p = otp.spawn(wait)\n"
    "  otp.send(p, {'queued', i, {nested = true}})\n"
    "end\n",
    0, NULL, &node);
  assert_int_equal(r, 0);
  assert_int_equal(node->nprocs, 250);
  otp_node_free(node);
}

/* the first process waits forever with nothing to wake it: run returns 1 */
static void test_deadlock_returns_1 (void **state) {
  (void)state;
  otp_node *node;
  int r = run_script_args(NULL, "otp.receive()\nerror('not reached')\n", 0, NULL, &node);
  assert_int_equal(r, 1);
  assert_int_equal(node->done, 1);
  lua_rawgeti(node->L, LUA_REGISTRYINDEX, node->first_exit_ref);
  assert_string_equal(lua_tostring(node->L, -1), "deadlock");
  lua_pop(node->L, 1);
  otp_node_free(node);
}

/* a deadlock among several processes is detected too */
static void test_deadlock_of_many_returns_1 (void **state) {
  (void)state;
  assert_int_equal(run_script(
    "for i = 1, 5 do\n"
    "  otp.spawn(function () otp.receive(function (m) return m == 'never' end) end)\n"
    "end\n"
    "otp.receive(otp.match{'never'})\n"), 1);
}

/* a pending timer is not a deadlock: the script wakes and ends normally */
static void test_timer_wait_is_not_deadlock (void **state) {
  (void)state;
  assert_int_equal(run_script(
    "otp.send_after(1, otp.self(), 'tick')\n"
    "assert(otp.receive() == 'tick')\n"), 0);
}

/* a missing file: -1 with a message, and no process left behind */
static void test_start_missing_file_fails (void **state) {
  (void)state;
  otp_node *node = new_node(NULL);
  assert_int_equal(otp_node_start_file(node, "/nonexistent/otplab/x.lua", 0, NULL), -1);
  const char *msg = lua_tostring(node->L, -1);
  assert_non_null(msg);
  if (!strstr(msg, "/nonexistent/otplab/x.lua")) fail_msg("%s", msg);
  assert_int_equal(node->nprocs, 0);
  lua_pop(node->L, 1);
  otp_node_free(node);
}

/* a syntax error: -1 with the file and line in the message */
static void test_start_syntax_error_fails (void **state) {
  (void)state;
  static const char code[] = "local x = \nlocal = 3\n";
  char *path = write_script(code, sizeof code - 1);
  otp_node *node = new_node(NULL);
  assert_int_equal(otp_node_start_file(node, path, 0, NULL), -1);
  const char *msg = lua_tostring(node->L, -1);
  assert_non_null(msg);
  if (!strstr(msg, ":2:")) fail_msg("%s", msg);
  assert_int_equal(node->nprocs, 0);
  otp_node_free(node);
  unlink(path);
  free(path);
}

/* binary chunks are refused as the first process */
static void test_start_binary_chunk_refused (void **state) {
  (void)state;
  static const char code[] = "\x1bLua\x54\x00 not really a chunk";
  char *path = write_script(code, sizeof code - 1);
  otp_node *node = new_node(NULL);
  assert_int_equal(otp_node_start_file(node, path, 0, NULL), -1);
  const char *msg = lua_tostring(node->L, -1);
  if (!msg || !strstr(msg, "binary")) fail_msg("%s", msg ? msg : "(no message)");
  assert_int_equal(node->nprocs, 0);
  otp_node_free(node);
  unlink(path);
  free(path);
}

/* the spinner runs after the yield; only its preemption lets the script
** resume and end */
static const char spinner_script[] =
  "otp.spawn(function () local n = 0; while true do n = n + 1 end end)\n"
  "otp.yield()\n";

/* watchdog preemption: an endless loop does not keep the script from ending */
static void test_watchdog_preempts_endless_loop (void **state) {
  (void)state;
  assert_int_equal(run_script(spinner_script), 0);
}

/* the same with the deterministic count hook */
static void test_reductions_preempt_endless_loop (void **state) {
  (void)state;
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cfg.reductions = 1000;
  assert_int_equal(run_script_args(&cfg, spinner_script, 0, NULL, NULL), 0);
}

/* a loop inside a call that cannot yield is killed after stuck_ms */
static void test_stuck_process_is_killed (void **state) {
  (void)state;
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cfg.stuck_ms = 50;
  cfg.log_level = OTP_LOG_NONE;
  assert_int_equal(run_script_args(&cfg,
    "local pid, ref = otp.spawn_monitor(function ()\n"
    "  table.sort({3, 2, 1}, function (a, b) while true do end end)\n"
    "end)\n"
    "local m = otp.receive()\n"
    "assert(m[1] == 'DOWN' and m[2] == ref and m[5] ~= 'normal')\n",
    0, NULL, NULL), 0);
}

/* a process over its max_heap is killed even if it pcalls the failure */
static void test_max_heap_kill_survives_pcall (void **state) {
  (void)state;
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cfg.log_level = OTP_LOG_NONE;
  assert_int_equal(run_script_args(&cfg,
    "local pid, ref = otp.spawn_opt(function ()\n"
    "  local ok = pcall(string.rep, 'x', 1000000)\n"
    "  assert(not ok)\n"
    "  otp.yield()\n"
    "  error('still alive after the heap limit')\n"
    "end, {monitor = true, max_heap = 200000})\n"
    "local m = otp.receive()\n"
    "assert(m[1] == 'DOWN' and m[2] == ref and m[5] == 'killed', tostring(m[5]))\n",
    0, NULL, NULL), 0);
}

int main (void) {
  alarm(60);   /* a hang (preemption or deadlock detection broken) fails */
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_new_with_null_config_uses_defaults),
    cmocka_unit_test(test_new_copies_config),
    cmocka_unit_test(test_free_unused_node),
    cmocka_unit_test(test_script_that_returns_exits_0),
    cmocka_unit_test(test_empty_script_exits_0),
    cmocka_unit_test(test_script_that_errors_exits_1),
    cmocka_unit_test(test_exit_reason_decides_status),
    cmocka_unit_test(test_arguments_reach_script),
    cmocka_unit_test(test_spawn_1000_all_exit),
    cmocka_unit_test(test_free_with_live_processes),
    cmocka_unit_test(test_deadlock_returns_1),
    cmocka_unit_test(test_deadlock_of_many_returns_1),
    cmocka_unit_test(test_timer_wait_is_not_deadlock),
    cmocka_unit_test(test_start_missing_file_fails),
    cmocka_unit_test(test_start_syntax_error_fails),
    cmocka_unit_test(test_start_binary_chunk_refused),
    cmocka_unit_test(test_watchdog_preempts_endless_loop),
    cmocka_unit_test(test_reductions_preempt_endless_loop),
    cmocka_unit_test(test_stuck_process_is_killed),
    cmocka_unit_test(test_max_heap_kill_survives_pcall),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
