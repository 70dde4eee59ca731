/*
** Exit signals, links, monitors, trap_exit and the name registry.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/remote.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/term.h"

static otp_pid check_pid(lua_State *L, int idx, const char *fname) {
  otp_pid pid = otp_to_pid(L, idx);
  if (!pid)
    otp_raise(L, "badarg: %s needs a pid, got %s", fname, luaL_typename(L, idx));
  return pid;
}

/* exit(reason) raises an exit; exit(pid, reason) sends an exit signal. */
static int l_exit(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  if (lua_gettop(L) < 2) {
    if (lua_isnone(L, 1))
      return otp_raise(L, "badarg: otp.exit needs a reason (otp.exit(reason)) "
                        "or a pid and a reason (otp.exit(pid, reason))");
    return otp_raise_exit(L, 1);
  }
  lua_settop(L, 2);
  otp_pid pid = check_pid(L, 1, "otp.exit(pid, reason)");
  if (otp_is_remote(pid)) {
    otp_copy(L, 2, OTP_COPY_MESSAGE, "reason", 0);   /* badarg for what cannot cross */
    if (node->dist_ops) node->dist_ops->exit(node, L, self->pid, pid, 2, 0);
    lua_pushboolean(L, 1);
    return 1;
  }
  otp_proc *to = otp_proc_get(node, pid);
  if (to && otp_signal_exit(node, L, self->pid, to, 2, OTP_SIG_EXIT2))
    return otp_sched_die(L);
  lua_pushboolean(L, 1);
  return 1;
}

static int l_link(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  otp_pid pid = check_pid(L, 1, "otp.link");
  if (otp_is_remote(pid) && node->dist_ops) {   /* the other node answers a dead pid */
    otp_link_remote(node, self, pid);
    lua_pushboolean(L, 1);
    return 1;
  }
  otp_proc *to = otp_proc_get(node, pid);
  if (!to) {                                   /* A9 */
    if (!self->trap_exit)
      return otp_raise(L, "noproc: cannot link to %s: it is not alive",
                        luaL_tolstring(L, 1, NULL));
    lua_pushliteral(L, "noproc");
    lua_createtable(L, 3, 0);
    lua_pushliteral(L, "EXIT");
    lua_rawseti(L, -2, 1);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 2);
    lua_pushliteral(L, "noproc");
    lua_rawseti(L, -2, 3);
    otp_mailbox_put(node, L, self, pid);
  } else {
    otp_link(node, self, to);
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int l_unlink(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  otp_unlink(node, self, check_pid(L, 1, "otp.unlink"));
  lua_pushboolean(L, 1);
  return 1;
}

/* The node index of a monitor's target on another node (a remote pid, or
** {name, node} naming another node), or 0. */
static uint32_t remote_target(otp_node *node, lua_State *L, otp_pid pid) {
  if (!node->dist_ops) return 0;
  if (pid) return otp_is_remote(pid) ? otp_remote_node_of(node, pid) : 0;
  if (!lua_istable(L, 1)) return 0;
  lua_rawgeti(L, 1, 1);
  lua_rawgeti(L, 1, 2);
  uint32_t idx = 0;
  if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING &&
      strcmp(lua_tostring(L, -1), node->dist_ops->name) != 0) {
    size_t len;
    lua_tolstring(L, -2, &len);
    if (len == 0 || len > 255)
      otp_raise(L, "badarg: otp.monitor({name, node}) needs a name of 1 to 255 bytes");
    idx = otp_remote_node(node, lua_tostring(L, -1));
  }
  lua_pop(L, 2);
  return idx;
}

/* monitor(pid | name | {name, node} [, {alias = true}]) -> ref */
static int l_monitor(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  int alias = 0;
  if (!lua_isnoneornil(L, 2)) {
    otp_arg_type(L, 2, LUA_TTABLE, "otp.monitor(target, opts)", "an options table");
    lua_getfield(L, 2, "alias");
    alias = lua_toboolean(L, -1);
  }
  lua_settop(L, 1);
  otp_proc *target = NULL;
  int by_name = 0;
  otp_pid pid = otp_to_pid(L, 1);
  uint32_t remote_node = remote_target(node, L, pid);
  if (remote_node) {                    /* a pid or {name, node} of another node */
    lua_pushvalue(L, 1);
    otp_msg *mark = self->mq_tail;
    uint64_t r = otp_monitor_remote(node, L, self, pid, remote_node, 2);
    self->has_marker = 1;
    self->marker = mark;
    self->marker_ref = r;
    return 1;
  }
  if (pid) {
    target = otp_proc_get(node, pid);
  } else if (lua_type(L, 1) == LUA_TSTRING) {
    by_name = 1;
  } else if (lua_istable(L, 1) && lua_rawgeti(L, 1, 1) == LUA_TSTRING) {
    lua_replace(L, 1);
    by_name = 1;
  } else {
    return otp_raise(L, "badarg: otp.monitor needs a pid, a registered name or "
                      "{name, node}, got %s", luaL_typename(L, 1));
  }
  if (by_name) {
    target = otp_registry_find(node, L, 1);
    otp_push_name_node(L, 1);          /* what a DOWN names: {name, node} */
  } else {
    lua_pushvalue(L, 1);
  }
  otp_monitor_push(L, self, target, by_name ? 1 : 0, lua_gettop(L), alias);
  return 1;
}

uint64_t otp_monitor_push(lua_State *L, otp_proc *self, otp_proc *target, int name_idx,
                          int who, int alias) {
  otp_node *node = otp_node_of(L);
  otp_msg *before = self->mq_tail;
  uint64_t ref;
  if (target) {
    ref = otp_monitor_add(node, L, self, target, name_idx);
    if (alias) {
      self->monitors->alias = 1;       /* the monitor just made heads the list */
      ((otp_ref_ud *)lua_touserdata(L, -1))->alias = self->pid;
    }
  } else {                              /* (an alias would be gone with the DOWN) */                              /* A10: an immediate DOWN, noproc */
    ref = otp_new_ref(L, 1);
    lua_pushliteral(L, "noproc");
    otp_send_down(node, L, self, ref, who, -1);
    lua_pop(L, 1);
  }
  self->has_marker = 1;
  self->marker = before;
  self->marker_ref = ref;
  return ref;
}

/* Drops a DOWN of the monitor ref already queued for self (A11). */
static void drop_down(lua_State *L, otp_proc *self, uint64_t ref) {
  otp_node *node = otp_node_of(L);
  /* a DOWN for ref can only be after the marker set when ref was made */
  otp_msg *m = self->has_marker && self->marker_ref == ref && self->marker
                   ? self->marker->next : self->mq_head;
  while (m) {
    otp_msg *next = m->next;
    otp_mailbox_push_value(L, m);
    int is_down = 0;
    if (lua_istable(L, -1)) {
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      is_down = lua_type(L, -2) == LUA_TSTRING &&
                strcmp(lua_tostring(L, -2), "DOWN") == 0 && otp_to_ref(L, -1) == ref;
      lua_pop(L, 2);
    }
    lua_pop(L, 1);
    if (is_down) otp_mailbox_drop(node, self, m);
    m = next;
  }
}

/* demonitor(ref [, {flush = true}]) */
static int l_demonitor(lua_State *L) {
  otp_proc *self = otp_self(L);
  uint64_t ref = otp_to_ref(L, 1);
  if (!ref) return otp_raise(L, "badarg: otp.demonitor needs a monitor ref, got %s",
                              luaL_typename(L, 1));
  otp_demonitor(otp_node_of(L), self, ref);
  int flush = lua_istable(L, 2) && (lua_getfield(L, 2, "flush"), lua_toboolean(L, -1));
  if (flush) drop_down(L, self, ref);
  lua_pushboolean(L, 1);
  return 1;
}

/* What a call's wait (otp._await_call) returns for the message on top,
** {ref, reply} or {"DOWN", ref, ...} with ref at stack 1: true and the
** reply, the monitor ended and a DOWN of it dropped (as gen_server does on
** a reply); or false and the DOWN's reason. */
int otp_call_outcome(lua_State *L, otp_proc *self) {
  int msg = lua_gettop(L);
  lua_rawgeti(L, msg, 1);
  int replied = lua_rawequal(L, -1, 1);
  lua_pop(L, 1);
  if (replied) {
    uint64_t ref = otp_to_ref(L, 1);
    otp_demonitor(otp_node_of(L), self, ref);
    drop_down(L, self, ref);
  }
  lua_pushboolean(L, replied);
  lua_rawgeti(L, msg, replied ? 2 : 5);
  return 2;
}

/* alias() -> ref: messages sent to it reach the caller until unalias. */
static int l_alias(lua_State *L) {
  otp_proc *self = otp_self(L);
  otp_new_ref(L, 0);
  ((otp_ref_ud *)lua_touserdata(L, -1))->alias = self->pid;
  return 1;
}

static int l_unalias(lua_State *L) {
  otp_proc *self = otp_self(L);
  otp_ref_ud *u = otp_to_ref_ud(L, 1);
  if (!u) return otp_raise(L, "badarg: otp.unalias needs an alias (a ref), got %s",
                           luaL_typename(L, 1));
  int was = u->alias == self->pid;
  if (was) u->alias = OTP_PID_NONE;
  lua_pushboolean(L, was);
  return 1;
}

static int l_trap_exit(lua_State *L) {
  otp_proc *self = otp_self(L);
  otp_arg_type(L, 1, LUA_TBOOLEAN, "otp.trap_exit", "true or false");
  lua_pushboolean(L, self->trap_exit);
  self->trap_exit = (uint8_t)lua_toboolean(L, 1);
  return 1;
}

static void check_name(lua_State *L, int idx, const char *fname) {
  if (lua_type(L, idx) != LUA_TSTRING)
    otp_raise(L, "badarg: %s needs a name (a string), got %s", fname,
               luaL_typename(L, idx));
}

static int l_register(lua_State *L) {
  otp_node *node = otp_node_of(L);
  check_name(L, 1, "otp.register");
  otp_proc *p = otp_proc_get(node, check_pid(L, 2, "otp.register(name, pid)"));
  if (!p)
    return otp_raise(L, "badarg: cannot register '%s': %s is not alive",
                      lua_tostring(L, 1), luaL_tolstring(L, 2, NULL));
  if (p->vm != otp_vm_of(L))
    return otp_raise(L, "badarg: cannot register '%s': %s lives in another sandbox "
                      "(each sandbox has its own names; register it from inside)",
                      lua_tostring(L, 1), luaL_tolstring(L, 2, NULL));
  switch (otp_registry_add(node, L, 1, p)) {
    case -1:
      return otp_raise(L, "badarg: the name '%s' is already registered to another "
                        "process", lua_tostring(L, 1));
    case -2:
      otp_registry_push_name(L, p);
      return otp_raise(L, "badarg: %s already has the name '%s' (one name per process)",
                        luaL_tolstring(L, 2, NULL), lua_tostring(L, -2));
  }
  lua_pushboolean(L, 1);
  return 1;
}

static int l_unregister(lua_State *L) {
  check_name(L, 1, "otp.unregister");
  if (otp_registry_remove(otp_node_of(L), L, 1) != 0)
    return otp_raise(L, "badarg: the name '%s' is not registered", lua_tostring(L, 1));
  lua_pushboolean(L, 1);
  return 1;
}

static int l_whereis(lua_State *L) {
  check_name(L, 1, "otp.whereis");
  otp_proc *p = otp_registry_find(otp_node_of(L), L, 1);
  if (p) otp_proc_push_pid(L, p);
  else lua_pushnil(L);
  return 1;
}

static int l_registered(lua_State *L) {
  lua_newtable(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->names_ref);
  lua_Integer n = 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pop(L, 1);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -4, ++n);
  }
  lua_pop(L, 1);
  otp_sort_list(L);
  return 1;
}

const luaL_Reg otp_signal_funcs[] = {
  {"exit", l_exit},
  {"link", l_link},
  {"unlink", l_unlink},
  {"monitor", l_monitor},
  {"demonitor", l_demonitor},
  {"alias", l_alias},
  {"unalias", l_unalias},
  {"trap_exit", l_trap_exit},
  {"register", l_register},
  {"unregister", l_unregister},
  {"whereis", l_whereis},
  {"registered", l_registered},
  {NULL, NULL}
};
