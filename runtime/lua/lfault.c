/*
** otp.fault_core: the C half of otp.fault (lua/otp/fault.lua).
**
** Drop and delay rules (a delay rule has ms) live in a list in the main state's registry (node->fault_rules_ref);
** node->fault_rules counts them, so with no rule the send path pays one
** branch.  A rule is a table {id=, to=, from=, match=fn, count=, ms=}: every
** key but id is optional.  otp_fault_intercepts runs at the send, after the
** send event and before the mailbox, so a dropped message is never reordered
** or duplicated: it simply never arrives.  A delayed one is held (delay.h)
** with the pair's later messages behind it.
**
** A slowed process (slow_ms) pauses before taking each message: see
** lmessage.c's receive.
**
** A crash is a reason kept by the target process (fault_crash_ref); the
** process raises it itself at its next receive, sleep or yield, so its own
** error path runs.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/delay.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/sched.h"
#include "core/term.h"
#include "core/timer.h"
#include "trace/trace.h"

static void push_rules(lua_State *L, otp_node *node) {
  if (!node->fault_rules_ref) {
    lua_newtable(L);
    node->fault_rules_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, node->fault_rules_ref);
}

static void remove_rule(lua_State *L, otp_node *node, int rules, lua_Integer i) {
  lua_Integer n = (lua_Integer)lua_rawlen(L, rules);
  for (; i < n; i++) {
    lua_rawgeti(L, rules, i + 1);
    lua_rawseti(L, rules, i);
  }
  lua_pushnil(L);
  lua_rawseti(L, rules, n);
  node->fault_rules--;
}

/* Does the rule at r concern a message from self to `to`? */
static int rule_concerns(lua_State *L, otp_node *node, int r, otp_proc *self, otp_proc *to) {
  int ok = 1;
  if (lua_getfield(L, r, "from") != LUA_TNIL) ok = otp_to_pid(L, -1) == self->pid;
  lua_pop(L, 1);
  if (ok && lua_getfield(L, r, "to") != LUA_TNIL) {
    otp_pid pid = otp_to_pid(L, -1);
    ok = pid ? pid == to->pid
             : lua_type(L, -1) == LUA_TSTRING && otp_registry_find(node, L, -1) == to;
  }
  lua_pop(L, 1);
  return ok;
}

/* Does the rule's match function (if any) accept the message at msg? An
** error in it is reported and counts as no match. */
static int rule_matches(lua_State *L, otp_node *node, int r, int msg) {
  if (lua_getfield(L, r, "match") == LUA_TNIL) {
    lua_pop(L, 1);
    return 1;
  }
  lua_pushvalue(L, msg);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    otp_log(node, OTP_LOG_WARNING, "an otp.fault.drop match function failed (%s); "
            "the rule did not apply to this message", lua_tostring(L, -1));
    lua_pop(L, 1);
    return 0;
  }
  int ok = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return ok;
}

/* Holds the message at msg for ms (traced as fault_delay). */
static void hold(otp_node *node, lua_State *L, otp_proc *self, otp_proc *to, int msg,
                 uint64_t ms) {
  if (otp_trace_on(node, OTP_EV_FAULT_DELAY)) {
    otp_trace_info info = {.pid = self->pid, .other = to->pid, .L = L, .msg = msg};
    otp_trace_emit(node, OTP_EV_FAULT_DELAY, &info);
  }
  lua_pushvalue(L, msg);
  otp_delay_hold(node, L, self->pid, to, ms);
}

int otp_fault_intercepts(otp_node *node, lua_State *L, otp_proc *self, otp_proc *to, int msg) {
  if (self->vm != &node->main || to->vm != &node->main) return 0;
  int top = lua_gettop(L);
  push_rules(L, node);
  int rules = lua_gettop(L), dropped = 0, delayed = 0;
  lua_Integer n = (lua_Integer)lua_rawlen(L, rules);
  for (lua_Integer i = 1; i <= n && !dropped && !delayed; i++) {
    lua_rawgeti(L, rules, i);
    int r = lua_gettop(L);
    if (rule_concerns(L, node, r, self, to) && rule_matches(L, node, r, msg)) {
      if (lua_getfield(L, r, "ms") == LUA_TNUMBER) {
        hold(node, L, self, to, msg, (uint64_t)lua_tointeger(L, -1));
        delayed = 1;
        continue;
      }
      dropped = 1;
      if (lua_getfield(L, r, "count") == LUA_TNUMBER) {
        lua_Integer left = lua_tointeger(L, -1) - 1;
        if (left <= 0) remove_rule(L, node, rules, i);
        else {
          lua_pushinteger(L, left);
          lua_setfield(L, r, "count");
        }
      }
    }
  }
  lua_settop(L, top);
  if (dropped && otp_trace_on(node, OTP_EV_FAULT_DROP)) {
    otp_trace_info info = {.pid = self->pid, .other = to->pid, .L = L, .msg = msg};
    otp_trace_emit(node, OTP_EV_FAULT_DROP, &info);
  }
  if (!dropped && !delayed && otp_delay_pair_held(node, self->pid, to->pid)) {
    hold(node, L, self, to, msg, 0);       /* behind the held ones: never reordered */
    delayed = 1;
  }
  return dropped || delayed;
}

static otp_node *main_state_only(lua_State *L, const char *fname) {
  otp_self(L);
  otp_node *node = otp_node_of(L);
  if (otp_vm_of(L) != &node->main)
    otp_raise(L, "badarg: %s is not available inside a sandbox", fname);
  return node;
}

/* add_drop(rule): rule is already checked by fault.lua; returns its id. */
static int l_add_drop(lua_State *L) {
  otp_node *node = main_state_only(L, "otp.fault.drop");
  luaL_checktype(L, 1, LUA_TTABLE);
  push_rules(L, node);
  lua_Integer id = (lua_Integer)++node->next_ref;
  lua_pushinteger(L, id);
  lua_setfield(L, 1, "id");
  lua_pushvalue(L, 1);
  lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
  node->fault_rules++;
  lua_pushinteger(L, id);
  return 1;
}

/* remove_drop(id): true if the rule was still there. */
static int l_remove_drop(lua_State *L) {
  otp_node *node = main_state_only(L, "otp.fault");
  lua_Integer id = luaL_checkinteger(L, 1);
  push_rules(L, node);
  int rules = lua_gettop(L);
  for (lua_Integer i = 1; i <= (lua_Integer)lua_rawlen(L, rules); i++) {
    lua_rawgeti(L, rules, i);
    lua_getfield(L, -1, "id");
    int same = lua_tointeger(L, -1) == id;
    lua_pop(L, 2);
    if (same) {
      remove_rule(L, node, rules, i);
      lua_pushboolean(L, 1);
      return 1;
    }
  }
  lua_pushboolean(L, 0);
  return 1;
}

static void forget_crash(lua_State *L, otp_proc *p) {
  p->raise_soon = 0;                /* a crash replaces a console interrupt */
  if (!p->fault_crash_ref) return;
  luaL_unref(L, LUA_REGISTRYINDEX, p->fault_crash_ref);
  p->fault_crash_ref = 0;
}

/* clear(): every drop rule and every crash not yet raised. */
static int l_clear(lua_State *L) {
  otp_node *node = main_state_only(L, "otp.fault.clear");
  if (node->fault_rules_ref) luaL_unref(L, LUA_REGISTRYINDEX, node->fault_rules_ref);
  node->fault_rules_ref = 0;
  node->fault_rules = 0;
  for (uint32_t i = 0; i < node->nslots; i++)
    if (node->procs[i] && node->procs[i]->vm == &node->main) {
      forget_crash(L, node->procs[i]);
      node->procs[i]->slow_ms = 0;
    }
  return 0;
}

static otp_proc *crash_target(lua_State *L, otp_node *node, const char *fname) {
  otp_pid pid = otp_to_pid(L, 1);
  if (!pid) otp_raise(L, "badarg: %s needs a pid, got %s", fname, luaL_typename(L, 1));
  otp_proc *p = otp_proc_get(node, pid);
  if (!p) otp_raise(L, "noproc: %s: the process is not alive", fname);
  if (p->vm != &node->main)
    otp_raise(L, "badarg: %s cannot reach a process inside a sandbox", fname);
  return p;
}

/* crash(pid, reason): p raises reason at its next receive, sleep or yield. */
static int l_crash(lua_State *L) {
  otp_node *node = main_state_only(L, "otp.fault.crash");
  otp_proc *p = crash_target(L, node, "otp.fault.crash");
  lua_settop(L, 2);
  forget_crash(L, p);
  p->fault_crash_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  otp_sched_wake(node, p);        /* a waiting process looks at once */
  return 0;
}

/* uncrash(pid): the crash is withdrawn if it has not happened yet. */
static int l_uncrash(lua_State *L) {
  otp_node *node = main_state_only(L, "otp.fault");
  otp_proc *p = otp_proc_get(node, otp_to_pid(L, 1));
  int pending = p && p->fault_crash_ref;
  if (p) forget_crash(L, p);
  lua_pushboolean(L, pending);
  return 1;
}

int otp_fault_crash_now(lua_State *L, otp_proc *p) {
  if (!p->fault_crash_ref) return 0;
  otp_node *node = p->node;
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->fault_crash_ref);
  luaL_unref(L, LUA_REGISTRYINDEX, p->fault_crash_ref);
  p->fault_crash_ref = 0;
  int interrupt = p->raise_soon;       /* the console's Ctrl-C: no fault to trace */
  p->raise_soon = 0;
  otp_timer_stop_receive(p);
  if (!interrupt && otp_trace_on(node, OTP_EV_FAULT_CRASH)) {
    otp_trace_info info = {.pid = p->pid, .L = L, .reason = lua_gettop(L)};
    otp_trace_emit(node, OTP_EV_FAULT_CRASH, &info);
  }
  return lua_error(L);
}

/* slow(pid, ms): p pauses ms before taking each message; ms 0 ends that.
** Returns whether p was slowed before. */
static int l_slow(lua_State *L) {
  otp_node *node = main_state_only(L, "otp.fault.slow");
  otp_proc *p = crash_target(L, node, "otp.fault.slow");
  lua_Integer ms = lua_tointeger(L, 2);
  if (!lua_isinteger(L, 2) || ms < 0 || ms > UINT32_MAX)
    return otp_raise(L, "badarg: otp.fault.slow needs a whole number of milliseconds "
                     "from 0 to %I, got %s", (lua_Integer)UINT32_MAX, luaL_tolstring(L, 2, NULL));
  lua_pushboolean(L, p->slow_ms != 0);
  p->slow_ms = (uint32_t)ms;
  p->recv_any = 0;                /* no hand-off past the pause */
  return 1;
}

/* note_kill(victim, sup): the fault_kill event of chaos, before its exit signal. */
static int l_note_kill(lua_State *L) {
  otp_node *node = main_state_only(L, "otp.fault.chaos");
  if (otp_trace_on(node, OTP_EV_FAULT_KILL)) {
    otp_trace_info info = {.pid = otp_to_pid(L, 1), .other = otp_to_pid(L, 2)};
    otp_trace_emit(node, OTP_EV_FAULT_KILL, &info);
  }
  return 0;
}

static const luaL_Reg fault_funcs[] = {
  {"add_drop", l_add_drop},
  {"remove_drop", l_remove_drop},
  {"clear", l_clear},
  {"crash", l_crash},
  {"uncrash", l_uncrash},
  {"note_kill", l_note_kill},
  {"slow", l_slow},
  {NULL, NULL}
};

void otp_fault_core_register(lua_State *L) {
  luaL_newlib(L, fault_funcs);
  lua_setfield(L, -2, "fault_core");
}
