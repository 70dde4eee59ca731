/*
** Timers.  Each pending timer is one deadline on the node's heap (clock.h),
** indexed by its ref id in its state's timer index (idmap.h) so
** cancel_timer finds it.  A destination pid is kept in C; only a name and
** the message are held by registry references.  The
** heap fires in deadline order and, for equal deadlines, in start order
** (rule A14), in real and in virtual time alike.  A timer to a
** pid is also listed on that process: when it dies its timers are cancelled
** and freed (erlang:send_after/3), so a timer to a dead pid is never pending;
** a timer to a name stays pending and resolves the name when it fires.
*/
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/timer.h"
#include "core/carry.h"
#include "core/copy.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/term.h"
#include "trace/trace.h"

typedef struct otp_timer {
  otp_deadline deadline;          /* first: the heap hands it back */
  otp_node *node;
  otp_vm *vm;                    /* the state holding dest and msg */
  uint64_t id;
  otp_pid dest_pid;              /* OTP_PID_NONE: the destination is a name, */
  int dest_ref, msg_ref;         /* held by dest_ref (LUA_NOREF otherwise) */
  int wrap;
  otp_proc *dest;                /* the destination process, for a timer to a pid */
  struct otp_timer *dest_next, *dest_prev;
} otp_timer;

/* Timer blocks come from a small cache of freed ones (a send_after storm
** otherwise pays malloc and free for each). */
#define TIMER_CACHE_MAX 4096
#if defined(__SANITIZE_ADDRESS__)
#define TIMER_CACHE_ON 0       /* let AddressSanitizer see every block */
#else
#define TIMER_CACHE_ON 1
#endif

static otp_timer *new_timer(otp_node *node) {
  otp_timer *t = node->timer_cache;
  if (t) {
    node->timer_cache = t->dest_next;
    node->timer_cache_n--;
    memset(t, 0, sizeof *t);
  } else if (!(t = calloc(1, sizeof *t))) {
    return NULL;
  }
  otp_records_add(node, sizeof *t);
  return t;
}

static void free_timer(otp_node *node, otp_timer *t) {
  otp_records_sub(node, sizeof *t);
  if (!TIMER_CACHE_ON || node->timer_cache_n >= TIMER_CACHE_MAX) {
    free(t);
    return;
  }
  t->dest_next = node->timer_cache;
  node->timer_cache = t;
  node->timer_cache_n++;
}

void otp_timer_free_cache(otp_node *node) {
  while (node->timer_cache) {
    otp_timer *t = node->timer_cache;
    node->timer_cache = t->dest_next;
    free(t);
  }
  node->timer_cache_n = 0;
}

static void attach(otp_timer *t, otp_proc *p) {
  t->dest = p;
  t->dest_prev = NULL;
  t->dest_next = p->timers_to;
  if (p->timers_to) p->timers_to->dest_prev = t;
  p->timers_to = t;
}

static void detach(otp_timer *t) {
  if (!t->dest) return;
  if (t->dest_prev) t->dest_prev->dest_next = t->dest_next;
  else t->dest->timers_to = t->dest_next;
  if (t->dest_next) t->dest_next->dest_prev = t->dest_prev;
  t->dest = NULL;
}

/* Unschedules and frees the timer, and drops its values. */
static void forget(otp_timer *t) {
  lua_State *L = t->vm->L;
  luaL_unref(L, LUA_REGISTRYINDEX, t->dest_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, t->msg_ref);
  otp_idmap_remove(&t->vm->timers, t->id);
  detach(t);
  t->node->timers_pending--;
  t->vm->timers_pending--;
  otp_deadline_stop(t->node, &t->deadline);
  free_timer(t->node, t);
}

static void on_timer(otp_node *node, otp_deadline *d) {
  otp_timer *t = (otp_timer *)d;
  lua_State *from = t->vm->L;
  int top = lua_gettop(from);
  otp_proc *p = t->dest;
  if (!t->dest_pid) {
    lua_rawgeti(from, LUA_REGISTRYINDEX, t->dest_ref);
    p = otp_registry_find(node, from, -1);
  }
  if (p && otp_proc_alive(p)) {  /* to a dead pid or a free name: dropped */
    lua_rawgeti(from, LUA_REGISTRYINDEX, t->msg_ref);
    otp_charge_state cs = otp_charge_receiver(node, p);
    otp_carry c = otp_carry_begin(from, -1, p->vm);
    lua_State *L = c.L;
    lua_pushvalue(L, c.idx);
    if (t->wrap) {
      lua_createtable(L, 3, 0);
      lua_pushliteral(L, "timeout");
      lua_rawseti(L, -2, 1);
      otp_push_ref(L, t->id);
      lua_rawseti(L, -2, 2);
      otp_copy(L, -2, OTP_COPY_LENIENT, "msg", 0);
      lua_rawseti(L, -2, 3);
    } else {
      otp_copy(L, -1, OTP_COPY_LENIENT, "msg", 0);
    }
    otp_charge_restore(node, cs);
    if (otp_trace_on(node, OTP_EV_TIMER)) {
      otp_trace_info info = {.pid = p->pid, .ref = t->id, .L = L, .msg = lua_gettop(L)};
      otp_trace_emit(node, OTP_EV_TIMER, &info);
    }
    otp_mailbox_put(node, L, p, OTP_PID_NONE);
    otp_carry_end(&c);
  }
  lua_settop(from, top);
  forget(t);
}

void otp_timer_start(otp_node *node, lua_State *L, uint64_t ms, int dest_idx,
                     int msg_idx, int wrap) {
  dest_idx = lua_absindex(L, dest_idx);
  msg_idx = lua_absindex(L, msg_idx);
  otp_pid pid = otp_to_pid(L, dest_idx);
  otp_proc *dest = pid ? otp_proc_get(node, pid) : NULL;
  if (pid && (!dest || !otp_proc_alive(dest))) {
    otp_new_ref(L, 1);    /* to a pid that is already dead: cancelled at once */
    return;
  }
  otp_timer *t = new_timer(node);
  if (!t) luaL_error(L, "not enough memory");
  t->node = node;
  t->vm = otp_vm_of(L);
  t->wrap = wrap;
  t->id = otp_new_ref(L, 1);          /* the tref, left on the stack */
  if (otp_idmap_put(&t->vm->timers, t->id, t) < 0) {
    free_timer(node, t);
    luaL_error(L, "not enough memory");
  }
  t->dest_pid = pid;
  t->dest_ref = LUA_NOREF;
  if (!pid) {
    lua_pushvalue(L, dest_idx);
    t->dest_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_pushvalue(L, msg_idx);
  t->msg_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  if (dest) attach(t, dest);
  node->timers_pending++;
  t->vm->timers_pending++;
  t->deadline.idx = OTP_DEADLINE_NONE;
  t->deadline.fire = on_timer;
  otp_deadline_start(node, &t->deadline, ms);
}

int64_t otp_timer_cancel(otp_node *node, lua_State *L, uint64_t id) {
  otp_timer *t = otp_idmap_get(&otp_vm_of(L)->timers, id);
  if (!t) return -1;
  int64_t left = (int64_t)otp_deadline_left_ms(node, &t->deadline);
  forget(t);
  return left;
}

void otp_timer_dest_died(otp_proc *p) {
  while (p->timers_to) forget(p->timers_to);
}

void otp_timer_dest_freed(otp_proc *p) {
  while (p->timers_to) detach(p->timers_to);
}

static void on_receive_timeout(otp_node *node, otp_deadline *d) {
  otp_proc *p = (otp_proc *)((char *)d - offsetof(otp_proc, recv_timer));
  p->recv_timed_out = 1;
  otp_sched_wake(node, p);
}

void otp_timer_init_receive(otp_proc *p) {
  p->recv_timer.idx = OTP_DEADLINE_NONE;
  p->recv_timer.fire = on_receive_timeout;
}

void otp_timer_arm_receive(otp_node *node, otp_proc *p, uint64_t ms) {
  otp_deadline_stop(node, &p->recv_timer);
  p->recv_timed_out = 0;
  otp_deadline_start(node, &p->recv_timer, ms);
}

void otp_timer_stop_receive(otp_proc *p) {
  if (otp_deadline_pending(&p->recv_timer)) otp_deadline_stop(p->node, &p->recv_timer);
  p->recv_timed_out = 0;
}

static void forget_any(void *t) {
  forget(t);
}

void otp_timer_close_all(otp_vm *vm) {
  otp_idmap_each(&vm->timers, forget_any);
  otp_idmap_free(&vm->timers);
}
