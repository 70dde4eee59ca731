/*
** test_alloc.c
** Tests for runtime/core/alloc.c: per-process memory accounting, max_heap
** and the node's max_memory, and the strike logic that turns a failed
** allocation (and its failed retry) into a kill.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "core/alloc.h"
#include "core/node.h"
#include "lua/lotp.h"
#include "core/proc.h"
#include "core/sched.h"


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

static otp_proc *new_proc (otp_node *node) {
  otp_proc *p = otp_proc_new(node, node->L, OTP_PID_NONE);
  assert_non_null(p);
  return p;
}

/* a doomed process sits in the run queue: take it out before discarding */
static void discard (otp_node *node, otp_proc *p) {
  otp_sched_dequeue(node, p);
  otp_proc_discard(node, p);
}

/* a raw block of size bytes charged to node->charge, as Lua would get it */
static void *blk (otp_node *node, size_t size) {
  return otp_alloc(node, NULL, LUA_TUSERDATA, size);
}

static void blk_free (otp_node *node, void *b, size_t size) {
  assert_null(otp_alloc(node, b, size, 0));
}

static size_t lua_count (lua_State *L) {
  return (size_t)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + (size_t)lua_gc(L, LUA_GCCOUNTB, 0);
}


/* the node's total is exactly what Lua believes it has allocated */
static void test_mem_total_matches_lua_count (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  assert_int_equal(node->mem_total, lua_count(L));
  lua_newuserdatauv(L, 12345, 0);
  lua_createtable(L, 100, 100);
  assert_int_equal(node->mem_total, lua_count(L));
  lua_pop(L, 2);
  lua_gc(L, LUA_GCCOLLECT);
  assert_int_equal(node->mem_total, lua_count(L));
}

/* a Lua allocation grows mem_total, collecting it shrinks it back */
static void test_mem_total_grows_and_shrinks (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  lua_gc(L, LUA_GCCOLLECT);
  size_t before = node->mem_total;
  lua_newuserdatauv(L, 100000, 0);
  size_t with = node->mem_total;
  assert_true(with >= before + 100000);
  lua_pop(L, 1);
  lua_gc(L, LUA_GCCOLLECT);
  assert_true(node->mem_total <= with - 100000);
  assert_true(node->mem_total < before + 1024);
}

/* with no process charged, allocations belong to the node alone */
static void test_node_allocations_charge_no_process (void **state) {
  otp_node *node = *state;
  assert_null(node->charge);
  assert_int_equal(node->mem_procs, 0);
  size_t total = node->mem_total;
  void *b = blk(node, 5000);
  assert_non_null(b);
  assert_int_equal(node->mem_total, total + 5000);
  assert_int_equal(node->mem_procs, 0);
  blk_free(node, b, 5000);
  assert_int_equal(node->mem_total, total);
}

/* a new process already pays for its own coroutine, globals and pid */
static void test_new_process_pays_for_itself (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  assert_true(p->memory > 0);
  assert_int_equal(node->mem_procs, p->memory);
  assert_null(node->charge);          /* the charge was restored */
  discard(node, p);
  assert_int_equal(node->mem_procs, 0);
}

/* a block allocated while charge = p is counted in p, mem_procs, mem_total */
static void test_charge_counts_against_process (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  size_t m0 = p->memory, procs0 = node->mem_procs, total0 = node->mem_total;
  node->charge = p;
  void *b = blk(node, 3000);
  node->charge = NULL;
  assert_non_null(b);
  assert_int_equal(p->memory, m0 + 3000);
  assert_int_equal(node->mem_procs, procs0 + 3000);
  assert_int_equal(node->mem_total, total0 + 3000);
  blk_free(node, b, 3000);
  assert_int_equal(p->memory, m0);
  assert_int_equal(node->mem_procs, procs0);
  assert_int_equal(node->mem_total, total0);
  discard(node, p);
}

/* freeing while another process is charged credits the block's owner */
static void test_free_credits_owner_not_current_charge (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node), *q = new_proc(node);
  size_t mp = p->memory, mq = q->memory;
  node->charge = p;
  void *small = blk(node, 40), *big = blk(node, 4000);
  node->charge = q;
  blk_free(node, small, 40);
  blk_free(node, big, 4000);
  node->charge = NULL;
  assert_int_equal(p->memory, mp);
  assert_int_equal(q->memory, mq);
  assert_int_equal(node->mem_procs, mp + mq);
  discard(node, q);
  discard(node, p);
}

/* Lua objects made under charge = p are credited to p when the GC frees
** them, even though q is charged while the collection runs */
static void test_lua_objects_credited_to_owner_by_gc (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  otp_proc *p = new_proc(node), *q = new_proc(node);
  lua_gc(L, LUA_GCCOLLECT);
  size_t mp = p->memory;
  node->charge = p;
  lua_newuserdatauv(L, 50000, 0);
  lua_createtable(L, 0, 500);
  node->charge = NULL;
  assert_true(p->memory >= mp + 50000);
  lua_pop(L, 2);
  node->charge = q;
  size_t mq = q->memory;
  lua_gc(L, LUA_GCCOLLECT);
  node->charge = NULL;
  assert_true(p->memory <= mp);
  assert_true(q->memory >= mq);   /* q paid for nothing it did not allocate */
  assert_int_equal(node->mem_procs, p->memory + q->memory);
  discard(node, q);
  discard(node, p);
}

/* a realloc keeps the block's owner: a shared table that grows while some
** other process runs is not charged to that process */
static void test_realloc_keeps_block_owner (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node), *q = new_proc(node);
  size_t mp = p->memory, mq = q->memory;
  node->charge = p;
  void *b = blk(node, 1000);
  node->charge = q;
  b = otp_alloc(node, b, 1000, 2000);
  node->charge = NULL;
  assert_non_null(b);
  assert_int_equal(p->memory, mp + 2000);
  assert_int_equal(q->memory, mq);
  node->charge = q;           /* freeing credits the owner, p */
  blk_free(node, b, 2000);
  node->charge = NULL;
  assert_int_equal(p->memory, mp);
  assert_int_equal(q->memory, mq);
  discard(node, q);
  discard(node, p);
}

/* a block keeps its bytes when resized across pool classes and malloc sizes */
static void test_realloc_keeps_contents (void **state) {
  otp_node *node = *state;
  static const size_t sizes[] = {8, 24, 200, 248, 249, 300, 70000, 100, 16, 5};
  size_t total0 = node->mem_total;
  size_t cur = sizes[0];
  unsigned char *b = blk(node, cur);
  assert_non_null(b);
  for (size_t i = 0; i < cur; i++) b[i] = (unsigned char)(i * 7 + 1);
  for (size_t k = 1; k < sizeof sizes / sizeof *sizes; k++) {
    size_t next = sizes[k];
    b = otp_alloc(node, b, cur, next);
    assert_non_null(b);
    size_t keep = cur < next ? cur : next;
    for (size_t i = 0; i < keep; i++) assert_int_equal(b[i], (unsigned char)(i * 7 + 1));
    for (size_t i = keep; i < next; i++) b[i] = (unsigned char)(i * 7 + 1);
    assert_int_equal(node->mem_total, total0 + next);
    cur = next;
  }
  blk_free(node, b, cur);
  assert_int_equal(node->mem_total, total0);
}

/* freed small blocks of one size are handed out again: later rounds carve
** nothing new from the pool (with the pool off, under ASan, carve stays NULL) */
static void test_small_blocks_are_reused (void **state) {
  otp_node *node = *state;
  void *a[64];
  size_t total0 = node->mem_total;
  char *carve = NULL;
  for (int round = 0; round < 3; round++) {
    for (int i = 0; i < 64; i++) {
      a[i] = blk(node, 48);
      assert_non_null(a[i]);
      memset(a[i], i, 48);
    }
    for (int i = 0; i < 64; i++) {
      unsigned char *c = a[i];
      assert_int_equal(c[0], i);
      assert_int_equal(c[47], i);
      for (int j = 0; j < i; j++) assert_ptr_not_equal(a[i], a[j]);
    }
    assert_int_equal(node->mem_total, total0 + 64 * 48);
    for (int i = 0; i < 64; i++) blk_free(node, a[i], 48);
    assert_int_equal(node->mem_total, total0);
    if (round == 0) carve = node->main.pool.carve;
    else assert_ptr_equal(node->main.pool.carve, carve);
  }
}

/* mem_procs is always the sum of the live processes' accounts */
static void test_mem_procs_is_sum_of_processes (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  otp_proc *ps[5];
  for (int i = 0; i < 5; i++) {
    ps[i] = new_proc(node);
    node->charge = ps[i];
    lua_createtable(L, 10 * (i + 1), 0);
    node->charge = NULL;
    lua_pop(L, 1);
  }
  for (int step = 0; step < 2; step++) {
    size_t sum = 0;
    for (int i = 0; i < 5; i++) sum += ps[i]->memory;
    assert_int_equal(node->mem_procs, sum);
    lua_gc(L, LUA_GCCOLLECT);
  }
  discard(node, ps[1]);
  discard(node, ps[3]);
  assert_int_equal(node->mem_procs, ps[0]->memory + ps[2]->memory + ps[4]->memory);
  discard(node, ps[0]);
  discard(node, ps[2]);
  discard(node, ps[4]);
  assert_int_equal(node->mem_procs, 0);
}

/* a block outliving its discarded owner credits nobody: no underflow */
static void test_free_after_owner_discarded (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  node->charge = p;
  void *b = blk(node, 2000);
  node->charge = NULL;
  discard(node, p);
  assert_int_equal(node->mem_procs, 0);
  size_t total = node->mem_total;
  blk_free(node, b, 2000);
  assert_int_equal(node->mem_procs, 0);
  assert_int_equal(node->mem_total, total - 2000);
}

/* the slot's next owner is not credited for its predecessor's block */
static void test_free_after_slot_reused (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  uint32_t slot = otp_pid_slot(p->pid);
  node->charge = p;
  void *b = blk(node, 2000);
  node->charge = NULL;
  discard(node, p);
  otp_proc *q = new_proc(node);
  assert_int_equal(otp_pid_slot(q->pid), slot);   /* the freed slot, reused */
  size_t mq = q->memory;
  blk_free(node, b, 2000);
  assert_int_equal(q->memory, mq);
  assert_int_equal(node->mem_procs, mq);
  discard(node, q);
}

/* Lua garbage of a discarded process is collected without touching others */
static void test_gc_after_discard_credits_nobody (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  otp_proc *p = new_proc(node);
  node->charge = p;
  lua_newuserdatauv(L, 30000, 0);
  node->charge = NULL;
  lua_pop(L, 1);
  discard(node, p);
  otp_proc *q = new_proc(node);
  size_t mq = q->memory, total = node->mem_total;
  lua_gc(L, LUA_GCCOLLECT);
  assert_int_equal(q->memory, mq);
  assert_int_equal(node->mem_procs, mq);
  assert_true(node->mem_total <= total - 30000);
  discard(node, q);
}

/* within max_heap an allocation succeeds and leaves no strike */
static void test_under_max_heap_succeeds (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  p->max_heap = p->memory + 1000;
  node->charge = p;
  void *b = blk(node, 1000);               /* exactly up to the limit */
  node->charge = NULL;
  assert_non_null(b);
  assert_int_equal(p->oom_strike, 0);
  assert_int_equal(p->kill_pending, 0);
  blk_free(node, b, 1000);
  discard(node, p);
}

/* one failed allocation is a strike, not yet a kill */
static void test_over_max_heap_first_failure_strikes (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  size_t m0 = p->memory, total = node->mem_total;
  p->max_heap = m0 + 1000;
  node->charge = p;
  void *b = blk(node, 1001);
  node->charge = NULL;
  assert_null(b);
  assert_int_equal(p->oom_strike, 1);
  assert_int_equal(p->kill_pending, 0);
  assert_int_equal(p->memory, m0);          /* nothing was charged */
  assert_int_equal(node->mem_total, total);
  discard(node, p);
}

/* the retry of the same size fails too: the process is marked to die */
static void test_failed_retry_marks_kill (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  p->max_heap = p->memory + 1000;
  node->charge = p;
  assert_null(blk(node, 5000));
  assert_null(blk(node, 5000));             /* what Lua does after its GC */
  node->charge = NULL;
  assert_int_equal(p->kill_pending, OTP_KILL_HEAP);
  assert_int_equal(p->oom_strike, 0);
  assert_true(p->in_runq);                  /* to die at its next slice */
  discard(node, p);
}

/* the retry succeeds (the GC freed enough): the strike is forgiven */
static void test_successful_retry_clears_strike (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  p->max_heap = p->memory + 1000;
  node->charge = p;
  assert_null(blk(node, 5000));
  p->max_heap += 10000;                     /* as if the GC freed memory */
  void *b = blk(node, 5000);
  node->charge = NULL;
  assert_non_null(b);
  assert_int_equal(p->oom_strike, 0);
  assert_int_equal(p->kill_pending, 0);
  blk_free(node, b, 5000);
  discard(node, p);
}

/* a failure never retried (the next request differs) still kills */
static void test_unretried_failure_marks_kill (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  p->max_heap = p->memory + 1000;
  node->charge = p;
  assert_null(blk(node, 5000));
  void *b = blk(node, 100);                 /* within the limit */
  node->charge = NULL;
  assert_non_null(b);
  assert_int_equal(p->kill_pending, OTP_KILL_HEAP);
  assert_int_equal(p->oom_strike, 0);
  blk_free(node, b, 100);
  discard(node, p);
}

/* a second different failure right after the first kills as well */
static void test_two_different_failures_mark_kill (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  p->max_heap = p->memory + 1000;
  node->charge = p;
  assert_null(blk(node, 5000));
  assert_null(blk(node, 6000));
  node->charge = NULL;
  assert_int_equal(p->kill_pending, OTP_KILL_HEAP);
  discard(node, p);
}

/* shrinking or freeing never fails, even over the limit */
static void test_shrink_never_fails_over_limit (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  node->charge = p;
  void *b = blk(node, 4000);
  p->max_heap = 1;                          /* now far over it */
  b = otp_alloc(node, b, 4000, 1000);
  assert_non_null(b);
  assert_int_equal(p->oom_strike, 0);
  assert_int_equal(p->kill_pending, 0);
  blk_free(node, b, 1000);
  node->charge = NULL;
  discard(node, p);
}

/* a receiver (charge_forced) is never refused: it is charged and doomed */
static void test_forced_charge_never_fails (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  size_t m0 = p->memory;
  p->max_heap = m0 + 1000;
  node->charge = p;
  node->charge_forced = 1;
  void *b = blk(node, 5000);
  node->charge_forced = 0;
  node->charge = NULL;
  assert_non_null(b);
  assert_int_equal(p->memory, m0 + 5000);
  assert_int_equal(p->kill_pending, OTP_KILL_HEAP);
  blk_free(node, b, 5000);
  discard(node, p);
}

/* the node's max_memory refuses a process's allocation beyond it */
static void test_node_max_memory_refuses_process (void **state) {
  otp_node *node = *state;
  otp_proc *p = new_proc(node);
  node->cfg.max_memory = node->mem_total + 1000;
  node->charge = p;
  void *ok = blk(node, 500);
  void *bad = blk(node, 5000);
  node->charge = NULL;
  node->cfg.max_memory = 0;
  assert_non_null(ok);
  assert_null(bad);
  assert_int_equal(p->oom_strike, 1);
  blk_free(node, ok, 500);
  discard(node, p);
}

static int make_big (lua_State *L) {
  lua_newuserdatauv(L, (size_t)lua_tointeger(L, 1), 0);
  return 1;
}

/* through Lua: over max_heap gives LUA_ERRMEM (after Lua's emergency GC and
** retry) and the process is marked kill_pending, so pcall cannot save it */
static void test_lua_over_max_heap_errmem_and_kill (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  otp_proc *p = new_proc(node);
  p->max_heap = p->memory + 4096;
  int top = lua_gettop(L);
  node->charge = p;
  lua_pushcfunction(L, make_big);
  lua_pushinteger(L, 100000);
  int status = lua_pcall(L, 1, 1, 0);
  node->charge = NULL;
  assert_int_equal(status, LUA_ERRMEM);
  assert_int_equal(p->kill_pending, OTP_KILL_HEAP);
  assert_true(p->memory <= p->max_heap);
  lua_settop(L, top);
  /* the state is still usable */
  lua_pushcfunction(L, make_big);
  lua_pushinteger(L, 100000);
  assert_int_equal(lua_pcall(L, 1, 1, 0), LUA_OK);
  lua_settop(L, top);
  discard(node, p);
}

/* through Lua: the same allocation within max_heap is fine */
static void test_lua_under_max_heap_ok (void **state) {
  otp_node *node = *state;
  lua_State *L = node->L;
  otp_proc *p = new_proc(node);
  p->max_heap = p->memory + 200000;
  int top = lua_gettop(L);
  node->charge = p;
  lua_pushcfunction(L, make_big);
  lua_pushinteger(L, 100000);
  int status = lua_pcall(L, 1, 1, 0);
  node->charge = NULL;
  assert_int_equal(status, LUA_OK);
  assert_int_equal(p->kill_pending, 0);
  lua_settop(L, top);
  discard(node, p);
}

int main (void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_mem_total_matches_lua_count),
    T(test_mem_total_grows_and_shrinks),
    T(test_node_allocations_charge_no_process),
    T(test_new_process_pays_for_itself),
    T(test_charge_counts_against_process),
    T(test_free_credits_owner_not_current_charge),
    T(test_lua_objects_credited_to_owner_by_gc),
    T(test_realloc_keeps_block_owner),
    T(test_realloc_keeps_contents),
    T(test_small_blocks_are_reused),
    T(test_mem_procs_is_sum_of_processes),
    T(test_free_after_owner_discarded),
    T(test_free_after_slot_reused),
    T(test_gc_after_discard_credits_nobody),
    T(test_under_max_heap_succeeds),
    T(test_over_max_heap_first_failure_strikes),
    T(test_failed_retry_marks_kill),
    T(test_successful_retry_clears_strike),
    T(test_unretried_failure_marks_kill),
    T(test_two_different_failures_mark_kill),
    T(test_shrink_never_fails_over_limit),
    T(test_forced_charge_never_fails),
    T(test_node_max_memory_refuses_process),
    T(test_lua_over_max_heap_errmem_and_kill),
    T(test_lua_under_max_heap_ok),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
