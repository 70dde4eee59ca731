/*
** The node: creation, the main loop, teardown.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <lauxlib.h>
#include <lualib.h>
#include "core/node.h"
#include "core/remote.h"
#include "core/alloc.h"
#include "core/delay.h"
#include "core/env.h"
#include "core/format.h"
#include "core/mailbox.h"
#include "core/signal.h"
#include "core/sched.h"
#include "core/term.h"
#include "core/timer.h"
#include "trace/trace.h"

uint64_t otp_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The node's default cap: 2 GB, or a quarter of the machine's memory if
** that is more (a million processes hold 1.3 GB; a heap held close to its
** cap makes the collector run all the time). */
static size_t default_max_memory(void) {
  size_t floor = (size_t)2 << 30;
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return floor;
  size_t quarter = (size_t)pages / 4 * (size_t)page;
  return quarter > floor ? quarter : floor;
}

void otp_node_config_defaults(otp_node_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->slice_ms = 1;
  cfg->stuck_ms = 2000;
  cfg->sandbox_stuck_ms = 5;
  cfg->max_memory = default_max_memory();
  cfg->log_level = OTP_LOG_ERROR;
  cfg->trace_ring = 1000;
}

void otp_log(otp_node *node, otp_log_level level, const char *fmt, ...) {
  static const char *const names[] = {"", "error", "warning", "info", "debug"};
  if (level > node->cfg.log_level || level == OTP_LOG_NONE) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "%s: ", names[level]);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

otp_node *otp_node_create(const otp_node_config *cfg, lua_CFunction open_library,
                          char *err, size_t errlen) {
  otp_node *node = calloc(1, sizeof *node);
  if (!node) {
    snprintf(err, errlen, "not enough memory");
    return NULL;
  }
  if (cfg) node->cfg = *cfg;
  else otp_node_config_defaults(&node->cfg);
  node->open_library = open_library;
  node->first_exit_ref = LUA_NOREF;
  node->started_ns = otp_now_ns();
  if (!node->cfg.seeded) {      /* no --seed: a different run each time, as before */
    node->cfg.seed = otp_rand_mix(otp_now_ns(), (uint64_t)getpid());
  }
  otp_rand_seed(&node->rand, node->cfg.seed);
  if (uv_loop_init(&node->loop) != 0) {
    snprintf(err, errlen, "cannot start the event loop");
    free(node);
    return NULL;
  }
  otp_clock_init(node);
  uv_idle_init(&node->loop, &node->poll_anyway);
  if (otp_vm_open(&node->main, node, NULL, 0, err, errlen) != 0) {
    otp_clock_close(node);
    uv_close((uv_handle_t *)&node->poll_anyway, NULL);
    uv_run(&node->loop, UV_RUN_DEFAULT);
    uv_loop_close(&node->loop);
    free(node);
    return NULL;
  }
  node->L = node->main.L;
  otp_sched_init(node);
  return node;
}

int otp_node_free(otp_node *node) {
  if (!node) return 0;
  otp_sched_close(node);
  otp_proc_free_all(node);
  if (node->close_states) node->close_states(node);
  otp_timer_close_all(&node->main);
  otp_timer_free_cache(node);
  otp_delay_free_all(node);
  otp_clock_close(node);
  uv_close((uv_handle_t *)&node->poll_anyway, NULL);
  uv_run(&node->loop, UV_RUN_DEFAULT);     /* runs the close callbacks */
  otp_trace_node_close(node);
  otp_vm_close(&node->main);
  otp_mailbox_free_pool(node);
  otp_monitor_free_pool(node);
  otp_remote_free(node);
  int rc = uv_loop_close(&node->loop);
  free(node);
  return rc == 0 ? 0 : -1;
}

/* require also looks in the script's own folder (API.md section 9), wherever
** otplab is run from: package.path gets DIR/?.lua;DIR/?/init.lua first. */
static void add_script_folder(lua_State *L, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) return;                       /* the current folder: ./?.lua is there */
  int dir = slash == path ? 1 : (int)(slash - path);   /* "/x.lua": the root */
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  lua_pushlstring(L, path, (size_t)dir);
  const char *d = lua_tostring(L, -1);
  lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", d, d, lua_tostring(L, -2));
  lua_setfield(L, -4, "path");
  lua_pop(L, 3);
}

static int start_file(lua_State *L) {
  otp_node *node = otp_node_of(L);
  const char *path = lua_tostring(L, 1);
  add_script_folder(L, path);
  int argc = (int)lua_tointeger(L, 2);
  char **argv = lua_touserdata(L, 3);
  otp_proc *p = otp_proc_new(node, L, OTP_PID_NONE);
  if (!p) return luaL_error(L, "the process table is full");
  if (luaL_loadfilex(L, path, "t") != LUA_OK) {
    otp_proc_discard(node, p);
    return lua_error(L);
  }
  otp_proc_push_env(L, p);
  lua_setupvalue(L, -2, 1);
  lua_createtable(L, argc, 1);            /* arg, as the lua command gives it */
  lua_pushstring(L, path);
  lua_rawseti(L, -2, 0);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i + 1);
  }
  otp_proc_push_env(L, p);
  lua_insert(L, -2);
  lua_setfield(L, -2, "arg");
  lua_pop(L, 1);
  for (int i = 0; i < argc; i++) lua_pushstring(L, argv[i]);
  lua_xmove(L, p->co, argc + 1);
  node->first = p->pid;
  otp_proc_start(node, p);
  return 0;
}

int otp_node_start_file(otp_node *node, const char *path, int argc, char **argv) {
  lua_State *L = node->L;
  lua_pushcfunction(L, start_file);
  lua_pushstring(L, path);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  return lua_pcall(L, 3, 0, 0) == LUA_OK ? 0 : -1;
}

/* Nothing is runnable and no timer or handle can ever wake anyone. */
static void report_deadlock(otp_node *node) {
  lua_State *L = node->L;
  fprintf(stderr, "otplab: deadlock: every process is waiting in receive with no "
                  "timeout, and nothing (no timer, no other process) can wake them:\n");
  for (uint32_t i = 0; i < node->nslots; i++) {
    otp_proc *p = node->procs[i];
    if (!p || !otp_proc_alive(p)) continue;
    char pid[48];
    otp_pid_format(p->pid, pid, sizeof pid);
    otp_proc_push_location(L, p);
    fprintf(stderr, "  %s waiting at %s\n", pid,
            lua_isnil(L, -1) ? "?" : lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  lua_pushliteral(L, "deadlock");
  node->first_exit_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  node->done = 1;
}

/* Virtual time: the clock stands still while any process can run (API.md,
** Virtual time), so a process that polls the clock, or spins waiting for a
** timer without receiving, never sees it fire and the run never ends. Said
** once per stall, after HELD_WARN_NS of real time with a deadline pending. */
#define HELD_WARN_NS (5ull * 1000000000ull)

typedef struct held_clock {
  uint64_t since_ns, at_vclock;
  int said;
} held_clock;

static void warn_clock_held(otp_node *node, held_clock *h) {
  uint64_t now = otp_now_ns();
  if (!node->rq_len || !node->heap_len || node->vclock_ns != h->at_vclock) {
    h->since_ns = now;
    h->at_vclock = node->vclock_ns;
    h->said = 0;
    return;
  }
  if (h->said || now - h->since_ns < HELD_WARN_NS) return;
  h->said = 1;
  lua_State *L = node->L;
  fprintf(stderr, "otplab: the virtual clock has stood still for 5 s: under "
                  "--virtual-time it moves only when every process waits, and "
                  "these processes keep running while a timer is due:\n");
  for (uint32_t i = 0; i < node->nslots; i++) {
    otp_proc *p = node->procs[i];
    if (!p || !otp_proc_alive(p) || p->status != OTP_RUNNABLE) continue;
    char pid[48];
    otp_pid_format(p->pid, pid, sizeof pid);
    otp_proc_push_location(L, p);
    fprintf(stderr, "  %s running at %s\n", pid, lua_isnil(L, -1) ? "?" : lua_tostring(L, -1));
    lua_pop(L, 1);
  }
  fprintf(stderr, "  A loop that polls the clock or waits for a timer without "
                  "receiving never ends here: wait in otp.receive or otp.sleep, "
                  "or run without --virtual-time.\n");
}

static void poll_anyway(uv_idle_t *h) { (void)h; }

/* Polls the loop once without waiting, while processes are runnable. The
** loop's own handles may all be unreferenced (the console's signals and
** output, a server's): uv_run returns at once from a loop it thinks has
** nothing to do, so an active idle handle keeps it alive for the poll, and
** a busy process cannot shut out Ctrl-C, SIGTERM or what others print. */
static void poll_io(otp_node *node) {
  uv_idle_start(&node->poll_anyway, poll_anyway);
  uv_run(&node->loop, UV_RUN_NOWAIT);
  uv_idle_stop(&node->poll_anyway);
}

int otp_node_run(otp_node *node) {
  held_clock held = {otp_now_ns(), node->vclock_ns, 0};
  while (!node->done) {
    otp_sched_run(node);
    if (node->done) break;
    if (node->cfg.virtual_time) warn_clock_held(node, &held);
    /* virtual time with peers running: what they send is read only when
    ** every process waits, so it arrives at the same point of every run */
    if (node->rq_len) {
      if (!node->cfg.virtual_time || !node->outside_holds) poll_io(node);
    } else if (node->cfg.virtual_time && node->heap_len) {
      poll_io(node);                         /* I/O first: it may wake someone */
      if (!node->rq_len && node->outside_holds) otp_clock_wait_outside(node);
      if (!node->rq_len) otp_clock_advance(node);
    } else if (uv_loop_alive(&node->loop)) uv_run(&node->loop, UV_RUN_ONCE);
    else report_deadlock(node);
  }
  lua_State *L = node->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, node->first_exit_ref);
  int ok = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "normal") == 0;
  lua_pop(L, 1);
  return ok ? 0 : 1;
}
