/*
** Mailboxes: a doubly linked queue of copied messages per process.
*/
#ifndef OTP_MAILBOX_H
#define OTP_MAILBOX_H

#include <lua.h>
#include "core/proc.h"

struct otp_node;
struct otp_vm;

/* Appends the value on top of L (popped; already owned by p, and L is a
** thread of p's state) to p's mailbox,
** waking p if it waits. When p waits in a receive that takes any message and
** its mailbox is empty, the value is handed straight to p's coroutine
** instead (p->handoff): the receive returns it without a queue round trip. */
void otp_mailbox_put(struct otp_node *node, lua_State *L, otp_proc *p, otp_pid from);
/* Unlinks m from p's mailbox and pushes its value onto L. */
void otp_mailbox_take(struct otp_node *node, lua_State *L, otp_proc *p, otp_msg *m);
/* Unlinks and drops m. */
void otp_mailbox_drop(struct otp_node *node, otp_proc *p, otp_msg *m);
void otp_mailbox_clear(struct otp_node *node, otp_proc *p);
/* Pushes the value of m, a queued message (it stays in the mailbox), onto L,
** a thread of its state; returns its type. It waits in a registry slot. */
static inline int otp_mailbox_push_value(lua_State *L, const otp_msg *m) {
  return lua_rawgeti(L, LUA_REGISTRYINDEX, m->ref);
}
void otp_mailbox_free_pool(struct otp_node *node);

#endif
