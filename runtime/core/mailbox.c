/*
** Mailboxes.  Message values live in one Lua table per state, the store, at integer
** slots handed out from a C free list (cheaper than a registry reference per
** message); the queue nodes come from a per-node free list too.
*/
#include <stdint.h>
#include <stdlib.h>
#include <lauxlib.h>
#include "core/mailbox.h"
#include "core/node.h"
#include "core/sched.h"

void otp_mailbox_init(otp_vm *vm, lua_State *L) {
  lua_newtable(L);
  vm->store_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

static int store_slot(otp_vm *vm, lua_State *L) {
  if (vm->store_nfree) return vm->store_free[--vm->store_nfree];
  if (vm->store_next == INT32_MAX) luaL_error(L, "limit: too many messages queued");
  return ++vm->store_next;
}

static void store_release(otp_vm *vm, int slot) {
  if (vm->store_nfree == vm->store_cap) {
    size_t cap = vm->store_cap ? vm->store_cap * 2 : 1024;
    int *v = realloc(vm->store_free, cap * sizeof *v);
    if (!v) abort();
    vm->store_free = v;
    vm->store_cap = cap;
  }
  vm->store_free[vm->store_nfree++] = slot;
}

void otp_mailbox_push_value(lua_State *L, const otp_proc *p, const otp_msg *m) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->vm->store_ref);
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
  m->ref = store_slot(p->vm, L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->vm->store_ref);
  lua_insert(L, -2);
  lua_rawseti(L, -2, m->ref);
  lua_pop(L, 1);
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
  m->next = node->msg_free;
  node->msg_free = m;
}

/* Pushes the value of m (take) or not, and frees its slot. */
static void release(otp_vm *vm, lua_State *L, otp_msg *m, int take) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->store_ref);
  if (take) {
    lua_rawgeti(L, -1, m->ref);
    lua_insert(L, -2);
  }
  lua_pushnil(L);
  lua_rawseti(L, -2, m->ref);
  lua_pop(L, 1);
  store_release(vm, m->ref);
}

void otp_mailbox_take(otp_node *node, lua_State *L, otp_proc *p, otp_msg *m) {
  release(p->vm, L, m, 1);
  unlink_msg(node, p, m);
}

void otp_mailbox_drop(otp_node *node, otp_proc *p, otp_msg *m) {
  release(p->vm, p->vm->L, m, 0);
  unlink_msg(node, p, m);
}

void otp_mailbox_clear(otp_node *node, otp_proc *p) {
  while (p->mq_head) otp_mailbox_drop(node, p, p->mq_head);
  p->has_marker = 0;
  p->recv_last = NULL;
}

void otp_mailbox_free_store(otp_vm *vm) {
  free(vm->store_free);
  vm->store_free = NULL;
  vm->store_nfree = vm->store_cap = 0;
}

void otp_mailbox_free_pool(otp_node *node) {
  while (node->msg_free) {
    otp_msg *m = node->msg_free;
    node->msg_free = m->next;
    free(m);
  }
}
