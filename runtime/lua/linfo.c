/*
** Looking at processes and the node: self, process_info, statistics, memory,
** time, pids from text, labels and the log level.
*/
#include <string.h>
#include <time.h>
#include "lua/lotp.h"
#include "core/anchor.h"
#include "core/copy.h"
#include "core/carry.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/remote.h"
#include "core/signal.h"
#include "core/term.h"
#include "sandbox/sandbox.h"

static int l_self(lua_State *L) {
  otp_proc_push_pid(L, otp_self(L));
  return 1;
}

static otp_proc *arg_proc(lua_State *L, int idx, const char *fname) {
  otp_pid pid = otp_to_pid(L, idx);
  if (!pid) otp_raise(L, "badarg: %s needs a pid, got %s", fname, luaL_typename(L, idx));
  return otp_proc_get(otp_node_of(L), pid);
}

static int l_is_alive(lua_State *L) {
  lua_pushboolean(L, arg_proc(L, 1, "otp.is_alive") != NULL);
  return 1;
}

/* Does code running on L see p? A sandbox sees its own processes only:
** pids are capabilities there, handed over, never found. */
static int visible(lua_State *L, const otp_proc *p) {
  const otp_vm *vm = otp_vm_of(L);
  return !vm->sandbox || p->vm == vm;
}

static int l_processes(lua_State *L) {
  otp_node *node = otp_node_of(L);
  lua_createtable(L, (int)node->nprocs, 0);
  lua_Integer n = 0;
  for (uint32_t i = 0; i < node->nslots; i++) {
    otp_proc *p = node->procs[i];
    if (p && otp_proc_alive(p) && visible(L, p)) {
      otp_proc_push_pid(L, p);
      lua_rawseti(L, -2, ++n);
    }
  }
  otp_sort_list(L);                /* oldest first, as they were spawned */
  return 1;
}

static const char *status_name(otp_proc *p) {
  static const char *const names[] = {"running", "runnable", "waiting", "suspended", "exiting"};
  return names[p->status];
}

static void push_pid_array(lua_State *L, const otp_pid *pids, uint32_t n) {
  lua_createtable(L, (int)n, 0);
  for (uint32_t i = 0; i < n; i++) {
    otp_push_pid(L, pids[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

static void push_monitors(lua_State *L, otp_proc *p) {
  lua_newtable(L);
  lua_Integer n = 0;
  for (otp_monitor *m = p->monitors; m; m = m->w_next) {
    lua_createtable(L, 2, 0);
    lua_pushliteral(L, "process");
    lua_rawseti(L, -2, 1);
    otp_monitor_push_target(L, m);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, ++n);
  }
}

static void push_monitored_by(lua_State *L, otp_proc *p) {
  lua_newtable(L);
  lua_Integer n = 0;
  for (otp_monitor *m = p->monitored_by; m; m = m->t_next) {
    otp_push_pid(L, m->watcher);
    lua_rawseti(L, -2, ++n);
  }
}

/* process_info(pid, "messages") copies at most this many messages, and stops
** before the copies' estimated size passes the byte budget; a list cut short
** ends with {"truncated", n_more}, n_more counting the messages left out. */
#define INFO_MAX_MESSAGES 100
#define INFO_MAX_MESSAGE_BYTES (64 * 1024)

/* An estimate of the bytes a copy of the value at idx takes, stopping as soon
** as it passes budget (so a huge value costs O(budget) to measure). seen (a
** stack index) is a table of the tables already counted: a table shared or
** in a cycle counts once, as the copy keeps it shared. */
static size_t value_size(lua_State *L, int idx, int seen, size_t budget, int depth) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: return 24 + lua_rawlen(L, idx);
    case LUA_TTABLE: break;
    default: return 16;
  }
  if (depth > 64 || !lua_checkstack(L, 4)) return budget + 1;
  idx = lua_absindex(L, idx);
  if (lua_rawgetp(L, seen, lua_topointer(L, idx)) != LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  lua_pop(L, 1);
  lua_pushboolean(L, 1);
  lua_rawsetp(L, seen, lua_topointer(L, idx));
  size_t n = 56;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    n += value_size(L, -2, seen, budget, depth + 1);
    if (n <= budget) n += value_size(L, -1, seen, budget - n, depth + 1);
    lua_pop(L, 1);
    if (n > budget) {
      lua_pop(L, 1);
      return n;
    }
  }
  return n;
}

/* Appends the copy of the value on top of L (popped) to the list at -2,
** unless the caps are reached: then pops it and returns 0. */
static int add_message(lua_State *L, lua_Integer *n, size_t *bytes) {
  size_t left = INFO_MAX_MESSAGE_BYTES - *bytes;
  size_t sz = left + 1;
  if (*n < INFO_MAX_MESSAGES) {
    lua_newtable(L);
    sz = value_size(L, -2, lua_gettop(L), left, 0);
    lua_pop(L, 1);
  }
  if (sz > left) {
    lua_pop(L, 1);
    return 0;
  }
  *bytes += sz;
  otp_copy(L, -1, OTP_COPY_LENIENT, "msg", 0);
  lua_rawseti(L, -3, ++*n);
  lua_pop(L, 1);
  return 1;
}

/* The thread to read p's values on: L, or p's own state when p lives in
** another one (a sandbox); otp_carry_top then brings them to L. */
static lua_State *reader(lua_State *L, otp_proc *p) {
  return otp_vm_of(L) == p->vm ? L : p->vm->L;
}

static void push_messages(lua_State *L, otp_proc *p) {
  otp_node *node = otp_node_of(L);
  lua_State *T = reader(L, p);
  uint32_t total = p->mq_len + p->handoff;
  lua_createtable(L, (int)(total < INFO_MAX_MESSAGES ? total : INFO_MAX_MESSAGES), 0);
  lua_Integer n = 0;
  size_t bytes = 0;
  int full = 0;
  if (p->handoff && lua_checkstack(p->co, 1)) {   /* the message handed over comes first */
    lua_pushvalue(p->co, -1);
    lua_xmove(p->co, T, 1);
    otp_carry_top(T, L, "<lost>");
    full = !add_message(L, &n, &bytes);
  }
  for (otp_msg *m = p->mq_head; m && !full; m = m->next) {
    otp_mailbox_push_value(T, m);
    otp_carry_top(T, L, "<lost>");
    otp_charge_state cs = otp_charge_receiver(node, node->current);
    full = !add_message(L, &n, &bytes);
    otp_charge_restore(node, cs);
  }
  if ((uint32_t)n < total) {
    lua_createtable(L, 2, 0);
    lua_pushliteral(L, "truncated");
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, (lua_Integer)total - n);
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, n + 1);
  }
}

/* The Lua traceback of p: of the caller itself when p is running (without
** process_info's own frame), else of its suspended coroutine. */
static void push_stacktrace(lua_State *L, otp_proc *p) {
  if (p == otp_self(L)) {
    luaL_traceback(L, L, NULL, 1);
    return;
  }
  lua_State *T = reader(L, p);     /* luaL_traceback needs one state */
  luaL_traceback(T, p->co, NULL, 0);
  otp_carry_top(T, L, "<lost>");
}

/* "source:line" of the function the process started with, or what the
** behaviour running it said (proc_lib's {Mod, init, 1}: "counter:init/1"). */
static void push_initial_call(lua_State *L, otp_proc *p) {
  if (p->initial_call_ref != LUA_NOREF) {
    otp_proc_push_value(L, p, p->initial_call_ref);
    return;
  }
  lua_Debug ar;
  int level = 0;
  while (lua_getstack(p->co, level + 1, &ar)) level++;
  if (lua_getstack(p->co, level, &ar) && lua_getinfo(p->co, "S", &ar)) {
    lua_pushfstring(L, "%s:%d", ar.short_src, ar.linedefined);
  } else if (lua_gettop(p->co) > 0 && lua_isfunction(p->co, 1)) {
    lua_pushvalue(p->co, 1);
    lua_getinfo(p->co, ">S", &ar);
    lua_pushfstring(L, "%s:%d", ar.short_src, ar.linedefined);
  } else {
    lua_pushnil(L);
  }
}

static void push_ancestors(lua_State *L, otp_proc *p) {
  otp_node *node = otp_node_of(L);
  lua_newtable(L);
  lua_Integer n = 0;
  for (otp_pid a = p->parent; a && n < 64;) {
    otp_push_pid(L, a);
    lua_rawseti(L, -2, ++n);
    otp_proc *q = otp_proc_get(node, a);
    a = q ? q->parent : OTP_PID_NONE;
  }
}

static const char *const info_keys[] = {
  "status", "message_queue_len", "messages", "links", "monitors", "monitored_by",
  "trap_exit", "registered_name", "reductions", "memory", "initial_call",
  "current_location", "parent", "ancestors", "sandbox", "label",
  "current_stacktrace", NULL   /* the last ones are only given when asked for */
};
#define INFO_DEFAULT_KEYS 16   /* process_info(pid): the keys before these */

static void push_info(lua_State *L, otp_proc *p, int key) {
  switch (key) {
    case 0: lua_pushstring(L, status_name(p)); break;
    case 1: lua_pushinteger(L, p->mq_len + p->handoff); break;
    case 2: push_messages(L, p); break;
    case 3: push_pid_array(L, p->links, p->nlinks); break;
    case 4: push_monitors(L, p); break;
    case 5: push_monitored_by(L, p); break;
    case 6: lua_pushboolean(L, p->trap_exit); break;
    case 7: otp_registry_push_name(L, p); break;
    case 8: lua_pushinteger(L, (lua_Integer)p->reductions); break;
    case 9: lua_pushinteger(L, (lua_Integer)(p->memory + otp_proc_record_bytes(p))); break;
    case 10: push_initial_call(L, p); break;
    case 11: otp_proc_push_location(L, p); break;
    case 12: if (p->parent) otp_push_pid(L, p->parent); else lua_pushnil(L); break;
    case 13: push_ancestors(L, p); break;
    case 14: otp_sandbox_push_name(L, p); break;
    case 16: push_stacktrace(L, p); break;
    default:
      otp_proc_push_value(L, p, p->label_ref);
  }
}

static int l_process_info(lua_State *L) {
  otp_proc *p = arg_proc(L, 1, "otp.process_info");
  if (p && !visible(L, p)) p = NULL;    /* outside a sandbox's wall: as if gone */
  if (!lua_isnoneornil(L, 2)) {
    const char *key = otp_arg_string(L, 2, "otp.process_info(pid, key)");
    int k = 0;
    while (info_keys[k] && strcmp(info_keys[k], key) != 0) k++;
    if (!info_keys[k])
      return otp_raise(L, "badarg: process_info has no key '%s' (keys: status, "
                        "message_queue_len, messages, links, monitors, monitored_by, "
                        "trap_exit, registered_name, reductions, memory, initial_call, "
                        "current_location, parent, ancestors, sandbox, label, "
                        "current_stacktrace)", key);
    if (!p) return 0;
    push_info(L, p, k);
    return 1;
  }
  if (!p) return 0;
  lua_createtable(L, 0, 16);
  for (int k = 0; k < INFO_DEFAULT_KEYS; k++) {
    push_info(L, p, k);
    lua_setfield(L, -2, info_keys[k]);
  }
  return 1;
}

/* Replaces the text the calling process keeps at *ref with argument 1. */
static int set_text(lua_State *L, int *ref, const char *fname) {
  otp_arg_type(L, 1, LUA_TSTRING, fname, "a string");
  otp_unanchor(L, *ref);
  lua_pushvalue(L, 1);
  *ref = otp_anchor(L);
  return 0;
}

static int l_set_label(lua_State *L) {
  return set_text(L, &otp_self(L)->label_ref, "otp.set_label");
}

/* otp._set_initial_call(text): a behaviour names the user's module as the
** process's initial_call, as proc_lib does. */
static int l_set_initial_call(lua_State *L) {
  return set_text(L, &otp_self(L)->initial_call_ref, "otp._set_initial_call");
}

static lua_Integer in_unit(lua_State *L, int idx, uint64_t ns) {
  static const char *const units[] = {"millisecond", "second", "microsecond",
                                      "nanosecond", NULL};
  static const uint64_t div[] = {1000000u, 1000000000u, 1000u, 1u};
  return (lua_Integer)(ns / div[otp_arg_option(L, idx, "millisecond", units, "a time unit")]);
}

static int l_monotonic_time(lua_State *L) {
  lua_pushinteger(L, in_unit(L, 1, otp_clock_now(otp_node_of(L))));
  return 1;
}

static int l_system_time(lua_State *L) {
  lua_pushinteger(L, in_unit(L, 1, otp_clock_system(otp_node_of(L))));
  return 1;
}

/* What otp.memory and otp.statistics count. The host sees the node; a
** sandbox sees itself only: its state's bytes, its processes, its counters
** (never the node's totals or that other sandboxes exist). */
typedef struct counts {
  lua_Integer total, procs, nprocs, run_queue;
  uint64_t *reductions, *reductions_seen, context_switches, messages_sent;
} counts;

static counts count_for(lua_State *L) {
  otp_node *node = otp_node_of(L);
  otp_vm *vm = otp_vm_of(L);
  if (!vm->sandbox)
    return (counts){(lua_Integer)(node->mem_total + node->mem_records),
                    (lua_Integer)(node->mem_procs + node->mem_proc_records),
                    node->nprocs, node->rq_len, &node->reductions_total,
                    &node->reductions_seen, node->context_switches, node->messages_sent};
  counts c = {(lua_Integer)vm->mem_total, 0, vm->nprocs, 0, &vm->reductions,
              &vm->reductions_seen, vm->context_switches, vm->messages_sent};
  for (uint32_t i = 0; i < node->nslots; i++) {
    otp_proc *p = node->procs[i];
    if (!p || p->vm != vm) continue;
    lua_Integer records = (lua_Integer)otp_proc_record_bytes(p);
    c.procs += (lua_Integer)p->memory + records;
    c.total += records;
    if (p->status == OTP_RUNNABLE) c.run_queue++;
  }
  return c;
}

/* {name = bytes} of the sandboxes the caller may see (part of total). */
static void push_sandbox_memory(lua_State *L, otp_node *node) {
  lua_newtable(L);
  otp_sandbox *own = otp_vm_of(L)->sandbox;
  for (otp_sandbox *sb = node->sandboxes; sb; sb = sb->next) {
    if (own && sb != own) continue;
    lua_pushinteger(L, (lua_Integer)sb->vm.mem_total);
    lua_setfield(L, -2, sb->name);
  }
}

static int l_memory(lua_State *L) {
  otp_node *node = otp_node_of(L);
  counts c = count_for(L);
  if (!lua_isnoneornil(L, 1)) {
    const char *key = otp_arg_string(L, 1, "otp.memory");
    if (strcmp(key, "total") == 0) lua_pushinteger(L, c.total);
    else if (strcmp(key, "processes") == 0) lua_pushinteger(L, c.procs);
    else if (strcmp(key, "system") == 0) lua_pushinteger(L, c.total - c.procs);
    else if (strcmp(key, "sandboxes") == 0) push_sandbox_memory(L, node);
    else return otp_raise(L, "badarg: otp.memory has no key '%s' (keys: total, "
                           "processes, system, sandboxes)", key);
    return 1;
  }
  lua_createtable(L, 0, 4);
  lua_pushinteger(L, c.total);
  lua_setfield(L, -2, "total");
  lua_pushinteger(L, c.procs);
  lua_setfield(L, -2, "processes");
  lua_pushinteger(L, c.total - c.procs);
  lua_setfield(L, -2, "system");
  push_sandbox_memory(L, node);
  lua_setfield(L, -2, "sandboxes");
  return 1;
}

static int l_statistics(lua_State *L) {
  const char *key = otp_arg_string(L, 1, "otp.statistics");
  counts c = count_for(L);
  if (strcmp(key, "process_count") == 0) {
    lua_pushinteger(L, c.nprocs);
  } else if (strcmp(key, "run_queue") == 0) {
    lua_pushinteger(L, c.run_queue);
  } else if (strcmp(key, "reductions") == 0) {
    lua_createtable(L, 2, 0);
    lua_pushinteger(L, (lua_Integer)*c.reductions);
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, (lua_Integer)(*c.reductions - *c.reductions_seen));
    lua_rawseti(L, -2, 2);
    *c.reductions_seen = *c.reductions;
  } else if (strcmp(key, "context_switches") == 0) {
    lua_pushinteger(L, (lua_Integer)c.context_switches);
  } else if (strcmp(key, "messages_sent") == 0) {
    lua_pushinteger(L, (lua_Integer)c.messages_sent);
  } else if (strcmp(key, "timers") == 0) {
    otp_vm *vm = otp_vm_of(L);            /* a sandbox counts only its own */
    lua_pushinteger(L, (lua_Integer)(vm->sandbox ? vm->timers_pending
                                                 : otp_node_of(L)->timers_pending));
  } else {
    return otp_raise(L, "badarg: otp.statistics has no key '%s' (keys: process_count, "
                      "run_queue, reductions, context_switches, messages_sent, timers)", key);
  }
  return 1;
}

/* node() -> this node's name; node(pid | ref) -> the name of its node (Erlang's node/1) */
static int l_node(lua_State *L) {
  otp_node *node = otp_node_of(L);
  if (lua_isnoneornil(L, 1)) {
    lua_pushstring(L, otp_dist_ops_name(node->dist_ops));
    return 1;
  }
  uint64_t v = otp_to_pid(L, 1);
  if (!v) v = otp_to_ref(L, 1);
  if (!v) return otp_raise(L, "badarg: otp.node(x) needs a pid or a ref, got %s",
                           luaL_typename(L, 1));
  const char *remote = otp_is_remote(v) ? otp_remote_node_name(node, otp_remote_node_of(node, v))
                                        : NULL;
  lua_pushstring(L, remote ? remote : otp_dist_ops_name(node->dist_ops));
  return 1;
}

/* The nodes this one is connected to (none unless it has a name). */
static int l_nodes(lua_State *L) {
  otp_node *node = otp_node_of(L);
  if (node->dist_ops) node->dist_ops->push_nodes(node, L);
  else lua_newtable(L);
  return 1;
}

/* pid("<0.42.0>"): the same value as the process's own pid. */
static int l_pid(lua_State *L) {
  otp_node *node = otp_node_of(L);
  const char *s = otp_arg_string(L, 1, "otp.pid");
  uint64_t serial = otp_pid_parse_serial(s);
  if (!serial)
    return otp_raise(L, "badarg: '%s' is not a pid; pids look like <0.42.0>", s);
  for (uint32_t i = 0; i < node->nslots; i++) {
    otp_proc *p = node->procs[i];
    if (p && otp_pid_serial(p->pid) == serial) {
      if (!visible(L, p)) break;
      otp_proc_push_pid(L, p);
      return 1;
    }
  }
  if (otp_vm_of(L)->sandbox)
    return otp_raise(L, "badarg: %s is not a process of this sandbox; inside a "
                     "sandbox a pid must be given to you, not made from text", s);
  /* gone or never seen: a pid with no slot, interned by serial */
  otp_push_pid(L, otp_pid_make(serial, (1u << OTP_PID_SLOT_BITS) - 1));
  return 1;
}

static const char *const log_levels[] = {"none", "error", "warning", "info", "debug", NULL};

static int l_log_level(lua_State *L) {
  otp_node *node = otp_node_of(L);
  int set = !lua_isnoneornil(L, 1);
  lua_pushstring(L, log_levels[node->cfg.log_level]);
  if (set && otp_vm_of(L)->sandbox)
    return otp_raise(L, "badarg: the log level is the node's; a sandbox can read it "
                     "but not set it");
  if (set)
    node->cfg.log_level = (otp_log_level)otp_arg_option(L, 1, NULL, log_levels, "otp.log_level");
  return 1;
}

/* log(level, ...): a report line on stderr, when the log level shows it. */
static int l_log(lua_State *L) {
  int level = otp_arg_option(L, 1, NULL, log_levels, "otp.log");
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 2; i <= n; i++) {
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  otp_log(otp_node_of(L), (otp_log_level)level, "%s", lua_tostring(L, -1));
  return 0;
}

const luaL_Reg otp_info_funcs[] = {
  {"log", l_log},
  {"self", l_self},
  {"is_alive", l_is_alive},
  {"processes", l_processes},
  {"process_info", l_process_info},
  {"set_label", l_set_label},
  {"_set_initial_call", l_set_initial_call},
  {"monotonic_time", l_monotonic_time},
  {"system_time", l_system_time},
  {"memory", l_memory},
  {"statistics", l_statistics},
  {"node", l_node},
  {"nodes", l_nodes},
  {"pid", l_pid},
  {"log_level", l_log_level},
  {NULL, NULL}
};
