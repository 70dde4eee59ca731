/*
** Messages: send (to a pid, a name, {name, node}, another state or node),
** the request and reply halves of a call, refs and timers. The receiving
** side (patterns, receive, sleep) is in lreceive.c.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/carry.h"
#include "core/copy.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/remote.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/term.h"
#include "core/timer.h"
#include "sandbox/sandbox.h"
#include "trace/trace.h"

/* ---- destinations ---- */

/* The process dest (at idx) names, or NULL if it is dead or an unreachable
** {name, node}; raises badarg for an unregistered plain name. Sets *remote
** for a {name, node} of another node when the node is distributed. */
static otp_proc *resolve(lua_State *L, otp_node *node, int idx, int *remote) {
  otp_pid pid = otp_to_pid(L, idx);
  if (pid && otp_is_remote(pid)) {          /* a process of another node */
    if (node->dist_ops) *remote = 2;
    return NULL;
  }
  if (pid) return otp_proc_get(node, pid);
  if (lua_type(L, idx) == LUA_TUSERDATA)
    return otp_alias_target(node, L, idx);          /* inactive: dropped */
  if (lua_type(L, idx) == LUA_TSTRING) {
    otp_proc *p = otp_registry_find(node, L, idx);
    if (!p)
      otp_raise(L, "badarg: no process is registered as '%s' (a message to a "
                 "name needs a registered process; to a pid it never fails)",
                 lua_tostring(L, idx));
    return p;
  }
  if (lua_istable(L, idx)) {           /* {name, node}: never fails (A12) */
    lua_rawgeti(L, idx, 1);
    lua_rawgeti(L, idx, 2);
    otp_proc *p = NULL;
    if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
      const char *at = lua_tostring(L, -1);
      if (strcmp(at, otp_dist_ops_name(node->dist_ops)) == 0)
        p = otp_registry_find(node, L, -2);
      else if (node->dist_ops)
        *remote = 1;
    }
    lua_pop(L, 2);
    return p;
  }
  otp_raise(L, "badarg: a destination must be a pid, a registered name or "
             "{name, node}, got %s", luaL_typename(L, idx));
  return NULL;
}

/* Delivers the copy on top of L (made for `to`, NULL if dead) from self:
** the trace events, the fault rules, the mailbox. dest is the stack index
** of the destination as given. Pops the copy. */
static void deliver(lua_State *L, otp_node *node, otp_proc *self, otp_proc *to, int dest) {
  int msg = lua_gettop(L);
  node->messages_sent++;
  self->vm->messages_sent++;
  if (!to) {
    if (otp_trace_on(node, OTP_EV_SEND_TO_DEAD)) {
      otp_trace_info info = {.pid = self->pid, .other = otp_to_pid(L, dest), .L = L, .msg = msg};
      otp_trace_emit(node, OTP_EV_SEND_TO_DEAD, &info);
    }
    lua_pop(L, 1);
    return;
  }
  if (otp_trace_on(node, OTP_EV_SEND)) {
    otp_trace_info info = {.pid = self->pid, .other = to->pid, .L = L, .msg = msg};
    otp_trace_emit(node, OTP_EV_SEND, &info);
  }
  if ((node->fault_rules || node->delays) && otp_fault_intercepts(node, L, self, to, msg)) {
    lua_pop(L, 1);
    return;
  }
  otp_mailbox_put(node, L, to, self->pid);
}

/* A message to a process of another state (a sandbox, or from one): encoded
** here, decoded into the receiver's state. */
static int l_send(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  lua_settop(L, 2);
  int remote = 0;
  otp_proc *to = resolve(L, node, 1, &remote);
  if (remote == 2) {
    otp_copy(L, 2, OTP_COPY_MESSAGE, "msg", 0);   /* the same badarg as a local send */
    lua_pop(L, 1);
    if (otp_trace_on(node, OTP_EV_SEND)) {
      otp_trace_info info = {.pid = self->pid, .other = otp_to_pid(L, 1), .L = L, .msg = 2};
      otp_trace_emit(node, OTP_EV_SEND, &info);
    }
    node->dist_ops->send(node, L, self->pid, otp_to_pid(L, 1), 2);
    node->messages_sent++;
    lua_settop(L, 2);
    return 1;
  }
  if (remote) {
    lua_rawgeti(L, 1, 1);
    lua_rawgeti(L, 1, 2);
    node->dist_ops->send_name(node, L, 3, lua_tostring(L, 4), 2);
    node->messages_sent++;
    lua_settop(L, 2);
    return 1;
  }
  if (to && to->vm != self->vm) {
    otp_carry_message(L, 2, self, to, OTP_COPY_MESSAGE);
    return 1;
  }
  otp_charge_state cs = otp_charge_receiver(node, to);
  otp_copy(L, 2, OTP_COPY_MESSAGE, "msg", 0);   /* badarg even to the dead */
  otp_charge_restore(node, cs);
  deliver(L, node, self, to, 1);
  return 1;
}

/* _call_send(pid, tag, request) -> ref: the request half of a call in one
** step, as gen_server does it: monitor pid with an alias, then send it
** {tag, {self, ref}, request}, the envelope made directly as the receiver's
** (only tag and request are copied). Returns nothing for a pid-less
** destination (the caller then monitors it the plain way, which says what
** is wrong), and false, having done nothing, for the caller's own pid. */
static int l_call_send(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  lua_settop(L, 3);
  otp_pid pid = otp_to_pid(L, 1);
  if (!pid) return 0;
  if (pid == self->pid) {
    lua_pushboolean(L, 0);
    return 1;
  }
  otp_proc *to = otp_proc_get(node, pid);
  int cross = to && to->vm != self->vm;
  /* the envelope is the receiver's; for another state it is encoded from
  ** a table of the sender's own, as a message built in Lua would be. The
  ** copies come first: a badarg leaves no monitor behind. */
  otp_charge_state cs = otp_charge_receiver(node, cross ? self : to);
  if (cross) {
    lua_pushvalue(L, 2);
    lua_pushvalue(L, 3);
  } else {                                       /* badarg even to the dead */
    otp_copy(L, 2, OTP_COPY_MESSAGE, "msg[1]", 0);
    otp_copy(L, 3, OTP_COPY_MESSAGE, "msg[3]", 0);
  }
  otp_charge_restore(node, cs);                  /* 4, 5: tag, request */
  otp_monitor_push(L, self, to, 0, 1, 1);        /* 6: the ref */
  cs = otp_charge_receiver(node, cross ? self : to);
  lua_createtable(L, 3, 0);                      /* 7: the envelope */
  lua_pushvalue(L, 4);
  lua_rawseti(L, 7, 1);
  lua_createtable(L, 2, 0);
  otp_proc_push_pid(L, self);
  lua_rawseti(L, -2, 1);
  lua_pushvalue(L, 6);
  lua_rawseti(L, -2, 2);
  lua_rawseti(L, 7, 2);
  lua_pushvalue(L, 5);
  lua_rawseti(L, 7, 3);
  otp_charge_restore(node, cs);
  if (cross) otp_carry_message(L, 7, self, to, OTP_COPY_MESSAGE);
  else deliver(L, node, self, to, 1);
  lua_settop(L, 6);
  return 1;
}

/* _reply_send(dest, value) -> true: otp.send(dest, {dest, value}) with the
** pair built directly as the receiver's (a call's reply, to its alias).
** Returns nothing, having done nothing, when dest is not a pid, a ref or a
** name (a {name, node} table, which value could share; what otp.send
** refuses), or is of another node or state: the caller then sends the pair
** the plain way. */
static int l_reply_send(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  lua_settop(L, 2);
  if (lua_type(L, 1) != LUA_TSTRING && !otp_is_term_udata(L, 1)) return 0;
  int remote = 0;
  otp_proc *to = resolve(L, node, 1, &remote);
  if (remote || (to && to->vm != self->vm)) return 0;
  otp_charge_state cs = otp_charge_receiver(node, to);
  lua_createtable(L, 2, 0);
  lua_pushvalue(L, 1);                 /* a pid, ref or name: itself */
  lua_rawseti(L, 3, 1);
  otp_copy(L, 2, OTP_COPY_MESSAGE, "msg[2]", 0);   /* badarg even to the dead */
  lua_rawseti(L, 3, 2);
  otp_charge_restore(node, cs);
  deliver(L, node, self, to, 1);
  lua_pushboolean(L, 1);
  return 1;
}

/* ---- refs and timers ---- */

static int l_make_ref(lua_State *L) {
  otp_proc *p = otp_self(L);
  p->marker_ref = otp_new_ref(L, 0);
  p->marker = p->mq_tail;
  p->has_marker = 1;
  return 1;
}

static uint64_t check_ms(lua_State *L, int idx) {
  lua_Integer ms = lua_tointeger(L, idx);
  if (!lua_isinteger(L, idx) || ms < 0 || ms > OTP_MAX_TIMEOUT_MS)
    otp_raise(L, "badarg: a timer needs a whole number of milliseconds from 0 to "
               OTP_MAX_TIMEOUT_TEXT ", got %s",
               luaL_tolstring(L, idx, NULL));
  return (uint64_t)ms;
}

/* A sandbox's timers are capped: each one holds memory outside its heap. */
static void admit_timer(lua_State *L) {
  otp_vm *vm = otp_vm_of(L);
  otp_sandbox *sb = vm->sandbox;
  if (!sb || vm->timers_pending < otp_sandbox_max_timers(sb)) return;
  otp_raise(L, "limit: sandbox '%s' allows at most %d pending timers (max_timers); "
            "cancel some with otp.cancel_timer or let them fire first", sb->name,
            (int)otp_sandbox_max_timers(sb));
}

static int start_timer(lua_State *L, int wrap) {
  otp_node *node = otp_node_of(L);
  otp_self(L);
  uint64_t ms = check_ms(L, 1);
  admit_timer(L);
  lua_settop(L, 3);
  if (!otp_to_pid(L, 2) && lua_type(L, 2) != LUA_TSTRING)
    return otp_raise(L, "badarg: a timer's destination must be a pid or a "
                      "registered name, got %s", luaL_typename(L, 2));
  otp_charge_state cs = otp_charge_receiver(node, NULL);
  otp_copy(L, 3, OTP_COPY_MESSAGE, "msg", 0);
  otp_charge_restore(node, cs);
  otp_timer_start(node, L, ms, 2, 4, wrap);
  return 1;
}

static int l_send_after(lua_State *L) { return start_timer(L, 0); }
static int l_start_timer(lua_State *L) { return start_timer(L, 1); }

static int l_cancel_timer(lua_State *L) {
  uint64_t id = otp_to_ref(L, 1);
  if (!id) return otp_raise(L, "badarg: cancel_timer needs a timer ref, got %s",
                             luaL_typename(L, 1));
  int64_t left = otp_timer_cancel(otp_node_of(L), L, id);
  if (left < 0) lua_pushboolean(L, 0);
  else lua_pushinteger(L, left);
  return 1;
}

const luaL_Reg otp_message_funcs[] = {
  {"send", l_send},
  {"_call_send", l_call_send},
  {"_reply_send", l_reply_send},
  {"make_ref", l_make_ref},
  {"send_after", l_send_after},
  {"start_timer", l_start_timer},
  {"cancel_timer", l_cancel_timer},
  {NULL, NULL}
};
