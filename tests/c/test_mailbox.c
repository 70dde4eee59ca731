/*
** test_mailbox.c
** Tests for runtime/core/mailbox.c: FIFO order, removal from anywhere,
** the receive marker and recv_last, the length, waking a waiting process,
** and the message store releasing values.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <lua.h>
#include <lauxlib.h>

#include "core/mailbox.h"
#include "core/node.h"
#include "lua/lotp.h"
#include "core/proc.h"
#include "core/sched.h"

typedef struct fixture {
  otp_node *node;
  otp_proc *p;
} fixture;

static int setup (void **state) {
  char err[256];
  static fixture f;
  f.node = otp_node_new(NULL, err, sizeof err);
  if (f.node == NULL) return -1;
  f.p = otp_proc_new(f.node, f.node->L, OTP_PID_NONE);
  if (f.p == NULL) return -1;
  *state = &f;
  return 0;
}

static int teardown (void **state) {
  fixture *f = *state;
  otp_node_free(f->node);   /* frees the process and its queued messages */
  return 0;
}

/* appends the integer v, sent by from */
static void put (fixture *f, lua_Integer v, otp_pid from) {
  lua_State *L = f->node->L;
  int top = lua_gettop(L);
  lua_pushinteger(L, v);
  otp_mailbox_put(f->node, L, f->p, from);
  assert_int_equal(lua_gettop(L), top);
}

static otp_msg *nth (otp_proc *p, int n) {
  otp_msg *m = p->mq_head;
  while (n-- > 0 && m) m = m->next;
  assert_non_null(m);
  return m;
}

static lua_Integer value_of (fixture *f, const otp_msg *m) {
  lua_State *L = f->node->L;
  otp_mailbox_push_value(L, m);
  assert_true(lua_isinteger(L, -1));
  lua_Integer v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* takes m and returns its integer value */
static lua_Integer take (fixture *f, otp_msg *m) {
  lua_State *L = f->node->L;
  int top = lua_gettop(L);
  otp_mailbox_take(f->node, L, f->p, m);
  assert_int_equal(lua_gettop(L), top + 1);
  assert_true(lua_isinteger(L, -1));
  lua_Integer v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* the queue holds exactly these values, in order, linked both ways */
static void expect_queue (fixture *f, const lua_Integer *want, uint32_t n) {
  otp_proc *p = f->p;
  assert_int_equal(p->mq_len, n);
  otp_msg *m = p->mq_head, *prev = NULL;
  for (uint32_t i = 0; i < n; i++) {
    assert_non_null(m);
    assert_ptr_equal(m->prev, prev);
    assert_int_equal(value_of(f, m), want[i]);
    prev = m;
    m = m->next;
  }
  assert_null(m);
  assert_ptr_equal(p->mq_tail, prev);
  if (n == 0) assert_null(p->mq_head);
}


static void test_new_mailbox_is_empty (void **state) {
  fixture *f = *state;
  assert_null(f->p->mq_head);
  assert_null(f->p->mq_tail);
  assert_int_equal(f->p->mq_len, 0);
}

/* put appends at the tail and counts */
static void test_put_appends_in_order (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 5; i++) {
    put(f, i * 10, OTP_PID_NONE);
    assert_int_equal(f->p->mq_len, (uint32_t)i);
  }
  const lua_Integer want[] = {10, 20, 30, 40, 50};
  expect_queue(f, want, 5);
}

/* each message remembers its sender */
static void test_put_records_sender (void **state) {
  fixture *f = *state;
  otp_pid a = otp_pid_make(7, 3), b = otp_pid_make(8, 4);
  put(f, 1, a);
  put(f, 2, b);
  put(f, 3, OTP_PID_NONE);
  assert_int_equal(nth(f->p, 0)->from, a);
  assert_int_equal(nth(f->p, 1)->from, b);
  assert_int_equal(nth(f->p, 2)->from, OTP_PID_NONE);
}

/* taking the head repeatedly gives the messages in the order sent */
static void test_take_head_is_fifo (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 4; i++) put(f, i, OTP_PID_NONE);
  for (int i = 1; i <= 4; i++) {
    assert_int_equal(take(f, f->p->mq_head), i);
    assert_int_equal(f->p->mq_len, (uint32_t)(4 - i));
  }
  expect_queue(f, NULL, 0);
}

/* taking from the middle keeps the others in order */
static void test_take_middle_keeps_order (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 5; i++) put(f, i, OTP_PID_NONE);
  assert_int_equal(take(f, nth(f->p, 2)), 3);
  const lua_Integer want1[] = {1, 2, 4, 5};
  expect_queue(f, want1, 4);
  assert_int_equal(take(f, nth(f->p, 1)), 2);
  const lua_Integer want2[] = {1, 4, 5};
  expect_queue(f, want2, 3);
}

/* taking the tail moves the tail back; a later put appends after it */
static void test_take_tail_then_put (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 3; i++) put(f, i, OTP_PID_NONE);
  assert_int_equal(take(f, f->p->mq_tail), 3);
  const lua_Integer want1[] = {1, 2};
  expect_queue(f, want1, 2);
  put(f, 9, OTP_PID_NONE);
  const lua_Integer want2[] = {1, 2, 9};
  expect_queue(f, want2, 3);
}

/* taking the only message empties the mailbox */
static void test_take_only_message_empties (void **state) {
  fixture *f = *state;
  put(f, 42, OTP_PID_NONE);
  assert_int_equal(take(f, f->p->mq_head), 42);
  expect_queue(f, NULL, 0);
  put(f, 43, OTP_PID_NONE);
  const lua_Integer want[] = {43};
  expect_queue(f, want, 1);
}

/* drop unlinks like take but pushes nothing */
static void test_drop_middle_pushes_nothing (void **state) {
  fixture *f = *state;
  lua_State *L = f->node->L;
  for (int i = 1; i <= 4; i++) put(f, i, OTP_PID_NONE);
  int top = lua_gettop(L);
  otp_mailbox_drop(f->node, f->p, nth(f->p, 1));
  assert_int_equal(lua_gettop(L), top);
  const lua_Integer want[] = {1, 3, 4};
  expect_queue(f, want, 3);
  otp_mailbox_drop(f->node, f->p, f->p->mq_head);
  otp_mailbox_drop(f->node, f->p, f->p->mq_tail);
  const lua_Integer want2[] = {3};
  expect_queue(f, want2, 1);
}

/* push_value shows a message without removing it */
static void test_push_value_leaves_message (void **state) {
  fixture *f = *state;
  put(f, 5, OTP_PID_NONE);
  put(f, 6, OTP_PID_NONE);
  assert_int_equal(value_of(f, f->p->mq_tail), 6);
  assert_int_equal(value_of(f, f->p->mq_tail), 6);
  const lua_Integer want[] = {5, 6};
  expect_queue(f, want, 2);
}

/* removing the marker's message moves the marker to the previous message */
static void test_marker_moves_back_on_take (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 4; i++) put(f, i, OTP_PID_NONE);
  otp_msg *m2 = nth(f->p, 1), *m3 = nth(f->p, 2);
  f->p->has_marker = 1;
  f->p->marker = m3;
  assert_int_equal(take(f, m3), 3);
  assert_ptr_equal(f->p->marker, m2);
  otp_mailbox_drop(f->node, f->p, m2);
  assert_ptr_equal(f->p->marker, f->p->mq_head);
  assert_int_equal(value_of(f, f->p->marker), 1);
}

/* removing the marker's message at the head leaves the marker before all */
static void test_marker_at_head_becomes_null (void **state) {
  fixture *f = *state;
  put(f, 1, OTP_PID_NONE);
  put(f, 2, OTP_PID_NONE);
  f->p->has_marker = 1;
  f->p->marker = f->p->mq_head;
  assert_int_equal(take(f, f->p->mq_head), 1);
  assert_null(f->p->marker);
  assert_int_equal(f->p->has_marker, 1);   /* still a marker: "before all" */
}

/* removing some other message does not move the marker */
static void test_marker_stays_when_other_removed (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 5; i++) put(f, i, OTP_PID_NONE);
  otp_msg *m3 = nth(f->p, 2);
  f->p->has_marker = 1;
  f->p->marker = m3;
  assert_int_equal(take(f, nth(f->p, 3)), 4);   /* after the marker */
  assert_ptr_equal(f->p->marker, m3);
  assert_int_equal(take(f, f->p->mq_head), 1);  /* before the marker */
  assert_ptr_equal(f->p->marker, m3);
  assert_int_equal(value_of(f, f->p->marker), 3);
}

/* recv_last follows the same rule as the marker */
static void test_recv_last_moves_back (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 3; i++) put(f, i, OTP_PID_NONE);
  f->p->recv_last = f->p->mq_tail;
  assert_int_equal(take(f, f->p->mq_tail), 3);
  assert_ptr_equal(f->p->recv_last, f->p->mq_tail);
  assert_int_equal(value_of(f, f->p->recv_last), 2);
  assert_int_equal(take(f, f->p->mq_head), 1);
  assert_ptr_equal(f->p->recv_last, f->p->mq_head);
  assert_int_equal(take(f, f->p->mq_head), 2);
  assert_null(f->p->recv_last);
}

/* clear empties the mailbox and forgets the marker and recv_last */
static void test_clear_empties_and_resets (void **state) {
  fixture *f = *state;
  for (int i = 1; i <= 6; i++) put(f, i, OTP_PID_NONE);
  f->p->has_marker = 1;
  f->p->marker = nth(f->p, 3);
  f->p->recv_last = nth(f->p, 4);
  otp_mailbox_clear(f->node, f->p);
  expect_queue(f, NULL, 0);
  assert_int_equal(f->p->has_marker, 0);
  assert_null(f->p->recv_last);
  assert_null(f->p->marker);
  put(f, 7, OTP_PID_NONE);
  const lua_Integer want[] = {7};
  expect_queue(f, want, 1);
}

/* a put wakes a process waiting in receive */
static void test_put_wakes_waiting_process (void **state) {
  fixture *f = *state;
  f->p->status = OTP_WAITING;
  assert_false(f->p->in_runq);
  put(f, 1, OTP_PID_NONE);
  assert_true(f->p->in_runq);
  assert_int_equal(f->p->status, OTP_RUNNABLE);
  assert_ptr_equal(f->node->rq_head, f->p);
  otp_sched_dequeue(f->node, f->p);
}

/* a put to a process that is not waiting does not schedule it */
static void test_put_does_not_wake_suspended (void **state) {
  fixture *f = *state;
  f->p->status = OTP_SUSPENDED;
  put(f, 1, OTP_PID_NONE);
  assert_false(f->p->in_runq);
  assert_null(f->node->rq_head);
  assert_int_equal(f->p->status, OTP_SUSPENDED);
}

/* the stored value is the very value put (the copy was made by the sender) */
static void test_table_value_kept_by_identity (void **state) {
  fixture *f = *state;
  lua_State *L = f->node->L;
  lua_newtable(L);
  lua_pushvalue(L, -1);
  otp_mailbox_put(f->node, L, f->p, OTP_PID_NONE);
  lua_pushnil(L);
  otp_mailbox_put(f->node, L, f->p, OTP_PID_NONE);   /* nil is a message too */
  assert_int_equal(f->p->mq_len, 2);
  otp_mailbox_take(f->node, L, f->p, f->p->mq_head);
  assert_true(lua_rawequal(L, -1, -2));
  otp_mailbox_take(f->node, L, f->p, f->p->mq_head);
  assert_true(lua_isnil(L, -1));
  assert_int_equal(f->p->mq_len, 0);
  lua_pop(L, 3);
}

/* store slots freed by take are reused without mixing up values */
static void test_store_slots_reused_keep_values (void **state) {
  fixture *f = *state;
  lua_Integer next_in = 0, next_out = 0;
  size_t slots = lua_rawlen(f->node->L, LUA_REGISTRYINDEX);
  for (int round = 0; round < 200; round++) {
    for (int i = 0; i < 7; i++) put(f, next_in++, OTP_PID_NONE);
    for (int i = 0; i < 5; i++) assert_int_equal(take(f, f->p->mq_head), next_out++);
  }
  assert_int_equal(f->p->mq_len, (uint32_t)(next_in - next_out));
  while (f->p->mq_head) assert_int_equal(take(f, f->p->mq_head), next_out++);
  assert_int_equal(next_out, next_in);
  /* slots were recycled: the registry never grew by more than the peak queue */
  assert_true(lua_rawlen(f->node->L, LUA_REGISTRYINDEX) - slots < 7 * 200 / 2);
}

/* a dropped or taken message no longer keeps its value alive */
static void test_removed_values_can_be_collected (void **state) {
  fixture *f = *state;
  lua_State *L = f->node->L;
  int top = lua_gettop(L);
  lua_newtable(L);                          /* weak-valued witness */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "v");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  int weak = lua_gettop(L);
  for (int i = 1; i <= 2; i++) {
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawseti(L, weak, i);
    otp_mailbox_put(f->node, L, f->p, OTP_PID_NONE);
  }
  lua_gc(L, LUA_GCCOLLECT);
  assert_int_equal(lua_rawgeti(L, weak, 1), LUA_TTABLE);   /* queued: alive */
  lua_pop(L, 1);
  otp_mailbox_drop(f->node, f->p, f->p->mq_head);
  otp_mailbox_take(f->node, L, f->p, f->p->mq_head);
  lua_pop(L, 1);
  lua_gc(L, LUA_GCCOLLECT);
  assert_int_equal(lua_rawgeti(L, weak, 1), LUA_TNIL);
  assert_int_equal(lua_rawgeti(L, weak, 2), LUA_TNIL);
  lua_settop(L, top);
}

/* two mailboxes sharing the node's store stay separate */
static void test_two_mailboxes_independent (void **state) {
  fixture *f = *state;
  otp_proc *q = otp_proc_new(f->node, f->node->L, OTP_PID_NONE);
  assert_non_null(q);
  lua_State *L = f->node->L;
  for (int i = 0; i < 6; i++) {
    lua_pushinteger(L, 100 + i);
    otp_mailbox_put(f->node, L, (i & 1) ? q : f->p, OTP_PID_NONE);
  }
  assert_int_equal(f->p->mq_len, 3);
  assert_int_equal(q->mq_len, 3);
  const lua_Integer want[] = {100, 102, 104};
  expect_queue(f, want, 3);
  otp_mailbox_take(f->node, L, q, q->mq_head);
  assert_int_equal(lua_tointeger(L, -1), 101);
  lua_pop(L, 1);
  expect_queue(f, want, 3);
  otp_mailbox_clear(f->node, q);
  assert_int_equal(q->mq_len, 0);
  expect_queue(f, want, 3);
  otp_proc_discard(f->node, q);
}

int main (void) {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
  const struct CMUnitTest tests[] = {
    T(test_new_mailbox_is_empty),
    T(test_put_appends_in_order),
    T(test_put_records_sender),
    T(test_take_head_is_fifo),
    T(test_take_middle_keeps_order),
    T(test_take_tail_then_put),
    T(test_take_only_message_empties),
    T(test_drop_middle_pushes_nothing),
    T(test_push_value_leaves_message),
    T(test_marker_moves_back_on_take),
    T(test_marker_at_head_becomes_null),
    T(test_marker_stays_when_other_removed),
    T(test_recv_last_moves_back),
    T(test_clear_empties_and_resets),
    T(test_put_wakes_waiting_process),
    T(test_put_does_not_wake_suspended),
    T(test_table_value_kept_by_identity),
    T(test_store_slots_reused_keep_values),
    T(test_removed_values_can_be_collected),
    T(test_two_mailboxes_independent),
  };
#undef T
  return cmocka_run_group_tests(tests, NULL, NULL);
}
