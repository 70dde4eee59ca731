/*
** Mailboxes.  Message values live in one Lua table, the store, at integer
** slots handed out from a C free list (cheaper than a registry reference per
** message); the queue nodes come from a per-node free list too.
*/
#include <stdint.h>
#include <stdlib.h>
#include <lauxlib.h>
#include "core/mailbox.h"
#include "core/node.h"
#include "core/sched.h"

void otp_mailbox_init(otp_node *node, lua_State *L) {
  lua_newtable(L);
  node->store_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static int store_slot(otp_node *node, lua_State *L) {
  if (node->store_nfree) return node->store_free[--node->store_nfree];
  if (node->store_next == INT32_MAX) luaL_error(L, "limit: too many messages queued");
  return ++node->store_next;
}

static void store_release(otp_node *node, int slot) {
  if (node->store_nfree == node->store_cap) {
    size_t cap = node->store_cap ? node->store_cap * 2 : 1024;
    int *v = realloc(node->store_free, cap * sizeof *v);
    if (!v) abort();
    node->store_free = v;
    node->store_cap = cap;
  }
  node->store_free[node->store_nfree++] = slot;
}

void otp_mailbox_push_value(otp_node *node, lua_State *L, const otp_msg *m) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, node->store_ref);
  lua_rawgeti(L, -1, m->ref);
  lua_remove(L, -2);
}

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
  m->ref = store_slot(node, L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, node->store_ref);
  lua_insert(L, -2);
  lua_rawseti(L, -2, m->ref);
  lua_pop(L, 1);
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

/* Pushes the value of m (take) or not, and frees its slot. */
static void release(otp_node *node, lua_State *L, otp_msg *m, int take) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, node->store_ref);
  if (take) {
    lua_rawgeti(L, -1, m->ref);
    lua_insert(L, -2);
  }
  lua_pushnil(L);
  lua_rawseti(L, -2, m->ref);
  lua_pop(L, 1);
  store_release(node, m->ref);
}

void otp_mailbox_take(otp_node *node, lua_State *L, otp_proc *p, otp_msg *m) {
  release(node, L, m, 1);
  unlink_msg(node, p, m);
}

void otp_mailbox_drop(otp_node *node, otp_proc *p, otp_msg *m) {
  release(node, node->L, m, 0);
  unlink_msg(node, p, m);
}

void otp_mailbox_clear(otp_node *node, otp_proc *p) {
  while (p->mq_head) otp_mailbox_drop(node, p, p->mq_head);
  p->has_marker = 0;
  p->recv_last = NULL;
}

void otp_mailbox_free_pool(otp_node *node) {
  free(node->store_free);
  node->store_free = NULL;
  while (node->msg_free) {
    otp_msg *m = node->msg_free;
    node->msg_free = m->next;
    free(m);
  }
}
