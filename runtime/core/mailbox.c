/*
** Mailboxes.  Message values live in the registry (one reference each);
** the queue nodes come from a per-node free list.
*/
#include <stdlib.h>
#include <lauxlib.h>
#include "core/mailbox.h"
#include "core/node.h"
#include "core/sched.h"

void otp_mailbox_put(otp_node *node, lua_State *L, otp_proc *p, otp_pid from) {
  otp_msg *m = node->msg_free;
  if (m) node->msg_free = m->next;
  else if (!(m = malloc(sizeof *m))) luaL_error(L, "not enough memory");
  m->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  m->from = from;
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
  m->next = node->msg_free;
  node->msg_free = m;
}

void otp_mailbox_take(otp_node *node, lua_State *L, otp_proc *p, otp_msg *m) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->ref);
  luaL_unref(L, LUA_REGISTRYINDEX, m->ref);
  unlink_msg(node, p, m);
}

void otp_mailbox_drop(otp_node *node, otp_proc *p, otp_msg *m) {
  luaL_unref(node->L, LUA_REGISTRYINDEX, m->ref);
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
