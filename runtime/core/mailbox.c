/*
** Mailboxes.  A queued message's value waits in a registry slot of its
** state (core/anchor.c: a raw set to queue it, a raw get to take it, one
** API call each, where a table of messages would need that table pushed
** around each); the queue nodes come from a per-node free list.
*/
#include <stdint.h>
#include <stdlib.h>
#include <lauxlib.h>
#include "core/mailbox.h"
#include "core/anchor.h"
#include "core/node.h"
#include "core/sched.h"

void otp_mailbox_put(otp_node *node, lua_State *L, otp_proc *p, otp_pid from) {
  if (p->recv_any && !p->handoff && !p->mq_head && p->status == OTP_WAITING &&
      lua_checkstack(p->co, 1)) {
    lua_xmove(L, p->co, 1);
    p->handoff = 1;
    p->handoff_from = from;
    otp_sched_wake(node, p);
    return;
  }
  otp_msg *m = node->msg_free;
  if (m) node->msg_free = m->next;
  else if (!(m = malloc(sizeof *m))) luaL_error(L, "not enough memory");
  otp_proc_records_add(node, sizeof *m);
  m->ref = otp_anchor(L);
  m->from = from;
  m->head_kind = OTP_HEAD_UNKNOWN;
  m->next = NULL;
  m->prev = p->mq_tail;
  if (p->mq_tail) p->mq_tail->next = m;
  else p->mq_head = m;
  p->mq_tail = m;
  p->mq_len++;
  if (p->status == OTP_WAITING) otp_sched_wake(node, p);
}

static void unlink_msg(otp_node *node, otp_proc *p, otp_msg *m) {
  if (m->prev) m->prev->next = m->next;
  else p->mq_head = m->next;
  if (m->next) m->next->prev = m->prev;
  else p->mq_tail = m->prev;
  if (p->marker == m) p->marker = m->prev;
  if (p->recv_last == m) p->recv_last = m->prev;
  p->mq_len--;
  otp_proc_records_sub(node, sizeof *m);
  m->next = node->msg_free;
  node->msg_free = m;
}

/* Pushes the value of m (take) or not, and frees its slot. */
static void release(lua_State *L, otp_msg *m, int take) {
  if (take) otp_mailbox_push_value(L, m);
  otp_unanchor(L, m->ref);
}

void otp_mailbox_take(otp_node *node, lua_State *L, otp_proc *p, otp_msg *m) {
  release(L, m, 1);
  unlink_msg(node, p, m);
}

void otp_mailbox_drop(otp_node *node, otp_proc *p, otp_msg *m) {
  release(p->vm->L, m, 0);
  unlink_msg(node, p, m);
}

void otp_mailbox_clear(otp_node *node, otp_proc *p) {
  while (p->mq_head) otp_mailbox_drop(node, p, p->mq_head);
  p->has_marker = 0;
  p->recv_last = NULL;
}

void otp_mailbox_free_pool(otp_node *node) {
  while (node->msg_free) {
    otp_msg *m = node->msg_free;
    node->msg_free = m->next;
    free(m);
  }
}
