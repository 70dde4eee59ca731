/*
** Scheduler and preemption.
**
** Processes run one slice at a time from a FIFO run queue.  A process gives
** up the CPU when it waits in receive, calls otp.yield, or is preempted.
** Preemption by default costs nothing while slices are short: a watchdog
** thread checks every slice_ms whether the same slice is still running and,
** if so, signals the scheduler thread, whose handler arms a count hook on
** the running coroutine (lua_sethook is safe to call from a signal handler).
** The hook yields at the next instruction.  Inside a call that cannot yield
** (a table.sort comparator, a gsub callback, a metamethod) the hook keeps
** checking and, after cfg.stuck_ms, raises an error and marks the process
** to die at its next safe point, so no Lua code can hold the node.
** Sandboxed processes get cfg.sandbox_stuck_ms instead, a few slices: the
** host waits for one stuck sandbox at a time, so that limit bounds its wait.
** With cfg.reductions = N every coroutine has a permanent count hook of N
** instructions instead: slower, but the interleaving is reproducible.
** With cfg.perturb as well (otplab explore), each slice lasts a seeded random
** 1 to 2N instructions and the next process is a seeded random one of the
** run queue: another seed, another interleaving; the same seed, the same.
*/
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <lauxlib.h>
#include "core/sched.h"
#include "core/gc.h"
#include "core/format.h"
#include "core/node.h"
#include "core/proc.h"
#include "core/term.h"
#include "trace/trace.h"

/* The node whose watchdog may signal this OS process: a signal handler has
** no other way to find its context. */
static otp_node *_Atomic watched_node;

static void preempt_hook(lua_State *L, lua_Debug *ar);

/* Host and sandbox processes wait in separate queues (see next_runnable). */
static otp_proc **queue_of(otp_node *node, const otp_proc *p, otp_proc ***tail) {
  int sandboxed = p->vm->sandbox != NULL;
  *tail = sandboxed ? &node->sb_tail : &node->rq_tail;
  return sandboxed ? &node->sb_head : &node->rq_head;
}

void otp_sched_enqueue(otp_node *node, otp_proc *p) {
  if (p->in_runq) return;
  otp_proc **tail, **head = queue_of(node, p, &tail);
  p->in_runq = 1;
  p->status = OTP_RUNNABLE;
  p->rq_next = NULL;
  p->rq_prev = *tail;
  if (*tail) (*tail)->rq_next = p;
  else *head = p;
  *tail = p;
  node->rq_len++;
}

void otp_sched_dequeue(otp_node *node, otp_proc *p) {
  if (!p->in_runq) return;
  otp_proc **tail, **head = queue_of(node, p, &tail);
  if (p->rq_prev) p->rq_prev->rq_next = p->rq_next;
  else *head = p->rq_next;
  if (p->rq_next) p->rq_next->rq_prev = p->rq_prev;
  else *tail = p->rq_prev;
  p->in_runq = 0;
  node->rq_len--;
}

/* Host and sandboxed processes take turns when both are runnable: however
** many busy processes the sandboxes run, a host process waits for at most
** one sandbox slice (plus the host processes ahead of it). */
static otp_proc *next_runnable(otp_node *node) {
  otp_proc *head;
  if (!node->rq_head || !node->sb_head) {
    head = node->rq_head ? node->rq_head : node->sb_head;
  } else {
    node->sb_turn = !node->sb_turn;
    head = node->sb_turn ? node->sb_head : node->rq_head;
  }
  if (!node->cfg.perturb || !head) return head;
  /* explore: any process of the queue, chosen by the seeded generator */
  uint64_t n = 0;
  for (otp_proc *p = head; p; p = p->rq_next) n++;
  for (uint64_t k = otp_rand_below(&node->rand, n); k; k--) head = head->rq_next;
  return head;
}

void otp_sched_wake(otp_node *node, otp_proc *p) {
  if (p->status == OTP_WAITING) otp_sched_enqueue(node, p);
}

/* lua_sethook walks every frame of the thread (to set its trap flag), so a
** deep stack makes it slow: arm once per slice only. */
static void arm_hook(otp_node *node) {
  lua_State *T = atomic_load_explicit(&node->running_thread, memory_order_relaxed);
  if (T && node->current && !node->current->hook_armed) {
    lua_sethook(T, preempt_hook, LUA_MASKCOUNT, 1);
    node->current->hook_armed = 1;
  }
}

void otp_sched_kill_soon(otp_node *node, otp_proc *p, int why) {
  if (p->kill_pending || !otp_proc_alive(p)) return;
  p->kill_pending = (uint8_t)why;
  if (p == node->current) arm_hook(node);
  else otp_sched_enqueue(node, p);
}

int otp_sched_yieldk(lua_State *L, otp_yield_kind kind, lua_KContext ctx,
                     lua_KFunction k) {
  otp_proc *p = otp_node_of(L)->current;
  p->yield_kind = (uint8_t)kind;
  p->sched_yield = 1;
  return lua_yieldk(L, 0, ctx, k);
}

int otp_sched_die(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *p = node->current;
  if (!p->kill_pending) p->kill_pending = OTP_KILL_REASON;
  if (lua_isyieldable(L)) return otp_sched_yieldk(L, OTP_YIELD_DIE, 0, NULL);
  arm_hook(node);
  return luaL_error(L, "process is exiting");
}

/* Time p may spend inside a call that cannot yield before it is stopped. */
static unsigned stuck_limit_ms(const otp_node *node, const otp_proc *p) {
  return p->vm->sandbox ? node->cfg.sandbox_stuck_ms : node->cfg.stuck_ms;
}

static int stuck_too_long(const otp_node *node, const otp_proc *p, uint64_t since,
                          uint64_t now) {
  return now - since >= (uint64_t)stuck_limit_ms(node, p) * 1000000u;
}

/* Marks p to die at its next safe point and raises the stuck-call error. */
static void stuck_error(lua_State *L, otp_node *node, otp_proc *p) {
  if (!p->kill_pending) p->kill_pending = OTP_KILL_STUCK;
  luaL_error(L, "process ran more than %d ms inside a call that cannot be "
             "preempted (a table.sort comparator, a string.gsub callback or a "
             "metamethod) and was stopped", (int)stuck_limit_ms(node, p));
}

/* The hook p's thread had before it was armed for one instruction. */
static void disarm_hook(otp_node *node, otp_proc *p, lua_State *L) {
  if (!node->cfg.reductions) lua_sethook(L, NULL, 0, 0);
  else lua_sethook(L, preempt_hook, LUA_MASKCOUNT, node->cfg.reductions);
  p->hook_armed = 0;
}

/* An interrupt not yet raised in a receive, sleep or yield: raised here. */
static void raise_interrupt(otp_node *node, otp_proc *p, lua_State *L) {
  p->raise_soon = 0;
  disarm_hook(node, p, L);
  if (!p->fault_crash_ref) return;
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->fault_crash_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, p->fault_crash_ref);
  p->fault_crash_ref = 0;
  lua_error(L);
}

void otp_sched_interrupt(otp_node *node, otp_proc *p, lua_State *L) {
  if (p->fault_crash_ref) luaL_unref(L, LUA_REGISTRYINDEX, p->fault_crash_ref);
  p->fault_crash_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  p->raise_soon = 1;
  lua_sethook(p->co, preempt_hook, LUA_MASKCOUNT, 1);
  p->hook_armed = 1;
  otp_sched_wake(node, p);
}

void otp_sched_uninterrupt(otp_node *node, otp_proc *p) {
  if (!p->raise_soon) return;
  p->raise_soon = 0;
  if (p->fault_crash_ref) luaL_unref(p->vm->L, LUA_REGISTRYINDEX, p->fault_crash_ref);
  p->fault_crash_ref = 0;
  if (p != node->current) disarm_hook(node, p, p->co);
}

static void preempt_hook(lua_State *L, lua_Debug *ar) {
  otp_node *node = otp_node_of(L);
  otp_proc *p = node->current;
  if (!p) return;
  if (p->raise_soon) {
    raise_interrupt(node, p, L);
    return;
  }
  if (ar->event == LUA_HOOKRET) {      /* armed only while caught in a call */
    if (lua_isyieldable(L)) lua_sethook(L, preempt_hook, LUA_MASKCOUNT, 1);
    return;
  }
  if (lua_isyieldable(L)) {
    if (!node->cfg.reductions) lua_sethook(L, NULL, 0, 0);
    else if (p->stuck_since_ns) lua_sethook(L, preempt_hook, LUA_MASKCOUNT, node->cfg.reductions);
    p->hook_armed = 0;
    p->stuck_since_ns = 0;
    p->yield_kind = p->kill_pending ? OTP_YIELD_DIE : OTP_YIELD_PREEMPT;
    p->sched_yield = 1;
    lua_yield(L, 0);
    return;
  }
  /* Inside a call that cannot yield: look again every 1000 instructions for
  ** the stuck limit, and at every return for the way out. A loop that keeps
  ** entering short calls of this kind (otp.spawn runs a chunk, gsub calls
  ** back) could otherwise be caught inside one at every look, held the
  ** node for the whole limit and was stopped as stuck. */
  uint64_t now = otp_now_ns();
  if (!p->stuck_since_ns) {
    p->stuck_since_ns = now;
    lua_sethook(L, preempt_hook, LUA_MASKCOUNT | LUA_MASKRET, 1000);
    return;
  }
  if (stuck_too_long(node, p, p->stuck_since_ns, now)) {
    lua_sethook(L, preempt_hook, LUA_MASKCOUNT, 1);
    stuck_error(L, node, p);
  }
}

int otp_sched_c_slice_over(lua_State *L, unsigned work) {
  otp_node *node = otp_node_of(L);
  if (!node->current) return 0;
  if (node->cfg.reductions) {
    node->slice_c_work += work;
    return node->slice_c_work >= (uint64_t)node->cfg.reductions;
  }
  return otp_now_ns() - node->slice_start_ns >= (uint64_t)node->cfg.slice_ms * 1000000u;
}

int otp_sched_c_pause(lua_State *L, lua_KContext ctx, lua_KFunction k) {
  otp_node *node = otp_node_of(L);
  otp_proc *p = node->current;
  if (lua_isyieldable(L))
    return otp_sched_yieldk(L, p->kill_pending ? OTP_YIELD_DIE : OTP_YIELD_PREEMPT, ctx, k);
  uint64_t now = otp_now_ns();
  if (!p->stuck_since_ns) p->stuck_since_ns = now;
  else if (stuck_too_long(node, p, p->stuck_since_ns, now)) stuck_error(L, node, p);
  return 0;
}

void otp_sched_stuck_inner(lua_State *L, lua_State *co, uint64_t *since) {
  otp_node *node = otp_node_of(L);
  otp_proc *p = node->current;
  uint64_t now = otp_now_ns();
  if (!*since) *since = now;
  else if (stuck_too_long(node, p, *since, now)) {
    p->hook_armed = 0;
    arm_hook(node);                 /* the caller's thread runs again now */
    stuck_error(L, node, p);
  }
  lua_sethook(co, preempt_hook, LUA_MASKCOUNT, 1000);   /* come back soon */
}

void otp_sched_setup_thread(otp_node *node, lua_State *co) {
  if (node->cfg.reductions)
    lua_sethook(co, preempt_hook, LUA_MASKCOUNT, node->cfg.reductions);
}

lua_State *otp_sched_set_running(otp_node *node, lua_State *T) {
  return atomic_exchange_explicit(&node->running_thread, T, memory_order_relaxed);
}

/* ---- the watchdog ---- */

static void on_preempt_signal(int sig) {
  (void)sig;
  otp_node *node = atomic_load(&watched_node);
  if (node) arm_hook(node);
}

static void *watchdog_main(void *arg) {
  otp_node *node = arg;
  struct timespec slice = {0, (long)node->cfg.slice_ms * 1000000L};
  uint_fast64_t last = 0, signalled = 0;
  pthread_mutex_lock(&node->wd_lock);
  while (!atomic_load(&node->watchdog_stop)) {
    if (!atomic_load(&node->busy)) {
      pthread_cond_wait(&node->wd_cond, &node->wd_lock);
      continue;
    }
    pthread_mutex_unlock(&node->wd_lock);
    nanosleep(&slice, NULL);
    uint_fast64_t gen = atomic_load_explicit(&node->slice_gen, memory_order_relaxed);
    if (gen == last && gen != signalled &&
        atomic_load_explicit(&node->running_thread, memory_order_relaxed)) {
      pthread_kill(node->main_thread, SIGURG);
      signalled = gen;     /* once per slice */
    }
    last = gen;
    pthread_mutex_lock(&node->wd_lock);
  }
  pthread_mutex_unlock(&node->wd_lock);
  return NULL;
}

void otp_sched_init(otp_node *node) {
  node->main_thread = pthread_self();
  if (node->cfg.reductions) return;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_preempt_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGURG, &sa, NULL);
  atomic_store(&watched_node, node);
  pthread_mutex_init(&node->wd_lock, NULL);
  pthread_cond_init(&node->wd_cond, NULL);
  node->watchdog_started = pthread_create(&node->watchdog, NULL, watchdog_main, node) == 0;
}

void otp_sched_close(otp_node *node) {
  if (!node->watchdog_started) return;
  pthread_mutex_lock(&node->wd_lock);
  atomic_store(&node->watchdog_stop, 1);
  pthread_cond_signal(&node->wd_cond);
  pthread_mutex_unlock(&node->wd_lock);
  pthread_join(node->watchdog, NULL);
  atomic_store(&watched_node, NULL);
  pthread_mutex_destroy(&node->wd_lock);
  pthread_cond_destroy(&node->wd_cond);
  node->watchdog_started = 0;
}

static void set_busy(otp_node *node, int busy) {
  if (!node->watchdog_started) return;
  if (busy) {
    pthread_mutex_lock(&node->wd_lock);
    atomic_store(&node->busy, 1);
    pthread_cond_signal(&node->wd_cond);
    pthread_mutex_unlock(&node->wd_lock);
  } else {
    atomic_store(&node->busy, 0);
  }
}

/* ---- running a slice ---- */

static void trace_sched(otp_node *node, otp_trace_kind kind, otp_proc *p) {
  otp_trace_info info = {.pid = p->pid};
  otp_trace_emit(node, kind, &info);
}

/* A process stopped by a limit: the log line, the limit_killed event (with
** the sandbox's name when it has one), and the reason it dies with. */
static void push_limit_reason(otp_node *node, otp_proc *p, const char *limit,
                              const char *why) {
  otp_vm *vm = p->vm;
  lua_State *L = vm->L;
  char pid[48];
  otp_pid_format(p->pid, pid, sizeof pid);
  otp_log(node, OTP_LOG_ERROR, "process %s%s%s killed: %s", pid,
          vm->name ? " of sandbox " : "", vm->name ? vm->name : "", why);
  vm->limit_kills++;
  if (otp_trace_on(node, OTP_EV_LIMIT_KILLED)) {
    if (vm->name) lua_pushstring(L, vm->name);
    otp_trace_info info = {.pid = p->pid, .text = limit, .L = L,
                           .name = vm->name ? lua_gettop(L) : 0};
    otp_trace_emit(node, OTP_EV_LIMIT_KILLED, &info);
    if (vm->name) lua_pop(L, 1);
  }
  if (!vm->name) {                             /* OTP's max_heap_size kill */
    lua_pushliteral(L, "killed");
    return;
  }
  lua_createtable(L, 2, 0);              /* {"limit", "max_memory"} */
  lua_pushliteral(L, "limit");
  lua_rawseti(L, -2, 1);
  lua_pushstring(L, strchr(limit, ' ') ? strrchr(limit, ' ') + 1 : limit);
  lua_rawseti(L, -2, 2);
}

/* Pushes the reason a process marked kill_pending dies with. */
static void push_kill_reason(otp_node *node, otp_proc *p) {
  lua_State *L = p->vm->L;
  char why[160];
  switch (p->kill_pending) {
    case OTP_KILL_REASON:
      lua_rawgeti(L, LUA_REGISTRYINDEX, p->exit_ref);
      break;
    case OTP_KILL_HEAP: {
      static const char *const limits[] = {"its max_heap", "its max_heap",
                                           "the node's max_memory",
                                           "the sandbox's max_memory"};
      const char *limit = limits[p->limit_hit];
      snprintf(why, sizeof why, "it needed more memory than %s allows (%zu bytes in use)",
               limit, p->memory);
      push_limit_reason(node, p, limit, why);
      /* a cap over a whole state or the node: what the process held must
      ** be given back before the EXIT and DOWN messages are made */
      if (p->limit_hit == OTP_LIMIT_STATE || p->limit_hit == OTP_LIMIT_NODE)
        p->vm->gc_after_kill = 1;
      break;
    }
    case OTP_KILL_CPU:
      snprintf(why, sizeof why, "it used more than %llu reductions in one second",
               (unsigned long long)p->vm->max_reductions);
      push_limit_reason(node, p, "the sandbox's max_reductions", why);
      break;
    default:
      lua_createtable(L, 3, 0);
      lua_pushliteral(L, "error");
      lua_rawseti(L, -2, 1);
      lua_pushfstring(L, "process ran more than %d ms inside a call that cannot "
                      "be preempted and was stopped", (int)stuck_limit_ms(node, p));
      lua_rawseti(L, -2, 2);
      lua_pushliteral(L, "");
      lua_rawseti(L, -2, 3);
  }
}

static void die_pending(otp_node *node, otp_proc *p) {
  push_kill_reason(node, p);
  otp_proc_exit(p, p->vm->L);
}

/* The coroutine of p ended with an error (value on top of p->co). */
static void die_from_error(otp_node *node, otp_proc *p, int status) {
  lua_State *L = p->vm->L;
  if (p->oom_strike) {          /* it died of an allocation over its limit */
    p->oom_strike = 0;
    p->kill_pending = OTP_KILL_HEAP;
  }
  if (p->kill_pending) {
    die_pending(node, p);
    return;
  }
  lua_xmove(p->co, L, 1);
  if (otp_is_exit_exception(L, -1)) {
    lua_rawgeti(L, -1, 2);
    lua_remove(L, -2);
  } else {
    int v = lua_gettop(L);
    luaL_traceback(L, p->co, NULL, 0);
    lua_createtable(L, 3, 0);
    lua_pushliteral(L, "error");
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, v);
    lua_rawseti(L, -2, 2);
    lua_pushvalue(L, v + 1);
    lua_rawseti(L, -2, 3);
    if (node->cfg.log_level >= OTP_LOG_ERROR && p->pid != node->first) {
      char pid[48];
      otp_pid_format(p->pid, pid, sizeof pid);
      otp_format(L, v, 1);
      const char *msg = status == LUA_ERRMEM ? "not enough memory" : lua_tostring(L, -1);
      otp_log(node, OTP_LOG_ERROR, "process %s crashed: %s\n%s", pid, msg,
              lua_tostring(L, v + 1));
      lua_pop(L, 1);
    }
    lua_replace(L, v);
    lua_settop(L, v);
  }
  otp_proc_exit(p, L);
}

int otp_sched_over_budget(otp_proc *p, uint64_t reductions, uint64_t now_ns) {
  uint64_t max = p->vm->max_reductions;
  if (!max) return 0;
  uint64_t second = now_ns / 1000000000u;
  if (second != p->cpu_second) {
    p->cpu_second = second;
    p->cpu_used = 0;
  }
  p->cpu_used += reductions;
  return p->cpu_used > max;
}

/* Closes the time account of the slice that started at slice_start_ns: one
** clock read per slice, shared with the start of the next one. Reductions
** are microseconds of work (at least 1 per slice). */
static void account(otp_node *node, uint64_t now) {
  if (!node->slice_pid) return;
  uint64_t spent = (now - node->slice_start_ns) / 1000 + 1;
  otp_proc *p = otp_proc_lookup(node, node->slice_pid);
  if (p) {
    p->reductions += spent;
    p->vm->reductions += spent;
    if (otp_sched_over_budget(p, spent, now) && otp_proc_alive(p))
      otp_sched_kill_soon(node, p, OTP_KILL_CPU);
  }
  node->reductions_total += spent;
  node->group_us[node->slice_group] += spent;
  node->slice_pid = OTP_PID_NONE;
}

static void run_slice(otp_node *node, otp_proc *p) {
  lua_State *co = p->co;
  if (p->kill_pending) {
    die_pending(node, p);
    return;
  }
  otp_gc_check(p->vm);
  p->status = OTP_RUNNING;
  p->sched_yield = 0;
  /* a non-yieldable call never spans slices; one that ended in a wait (a
  ** receive matcher) left its look-again hook: back to every N instructions */
  if (p->stuck_since_ns && node->cfg.reductions)
    lua_sethook(co, preempt_hook, LUA_MASKCOUNT, node->cfg.reductions);
  p->stuck_since_ns = 0;
  p->yield_kind = OTP_YIELD_NONE;
  node->current = node->charge = p;
  node->context_switches++;
  p->vm->context_switches++;
  if (otp_trace_on(node, OTP_EV_SCHED_IN)) trace_sched(node, OTP_EV_SCHED_IN, p);
  int nargs = lua_status(co) == LUA_OK ? lua_gettop(co) - 1 : p->handoff;
  uint64_t t0 = otp_now_ns();
  account(node, t0);
  node->slice_start_ns = t0;
  node->slice_c_work = 0;
  node->slice_pid = p->pid;
  node->slice_group = p->cpu_group;
  atomic_store_explicit(&node->slice_gen,
                        atomic_load_explicit(&node->slice_gen, memory_order_relaxed) + 1,
                        memory_order_relaxed);
  atomic_store_explicit(&node->running_thread, co, memory_order_relaxed);
  if (node->cfg.perturb && node->cfg.reductions)   /* explore: a seeded slice length */
    lua_sethook(co, preempt_hook, LUA_MASKCOUNT,
                1 + (int)otp_rand_below(&node->rand, 2 * (uint64_t)node->cfg.reductions));
  int nres = 0;
  int status = lua_resume(co, p->vm->L, nargs, &nres);
  atomic_store_explicit(&node->running_thread, NULL, memory_order_relaxed);
  if (p->hook_armed && !node->cfg.reductions) {
    lua_sethook(co, NULL, 0, 0);
    p->hook_armed = 0;
  }
  node->current = node->charge = NULL;
  node->charge_forced = 0;
  if (otp_trace_on(node, OTP_EV_SCHED_OUT)) trace_sched(node, OTP_EV_SCHED_OUT, p);
  if (status == LUA_YIELD) {
    lua_pop(co, nres);
    if (p->kill_pending) die_pending(node, p);
    else if (p->yield_kind == OTP_YIELD_WAIT) p->status = OTP_WAITING;
    else otp_sched_enqueue(node, p);
  } else if (status == LUA_OK) {
    if (p->kill_pending) {
      die_pending(node, p);
    } else {
      otp_proc_exit_normal(p);
    }
  } else {
    die_from_error(node, p, status);
  }
}

void otp_sched_run(otp_node *node) {
  set_busy(node, 1);
  uint64_t start = otp_now_ns();
  /* deaths from outside any slice (an exit signal from another node, read
  ** by a loop callback) are finalised now: their links and monitors fire */
  if (node->dying_head) otp_proc_reap(node);
  otp_proc *p;
  while ((p = next_runnable(node)) != NULL && !node->done) {
    otp_sched_dequeue(node, p);
    run_slice(node, p);
    if (node->dying_head) otp_proc_reap(node);
    /* let timers and I/O in every few milliseconds (the clock was read
    ** when the slice started) */
    if (node->slice_start_ns - start > 2000000u) break;
  }
  account(node, otp_now_ns());
  set_busy(node, 0);
}
