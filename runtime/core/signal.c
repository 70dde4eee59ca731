/*
** Links, monitors and exit signals.
** Signals are handled when sent: the receiver is never running at that
** moment (one scheduler thread), except when a process signals itself.
*/
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/signal.h"
#include "core/anchor.h"
#include "core/atom.h"
#include "core/delay.h"
#include "core/links.h"
#include "core/carry.h"
#include "core/copy.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/remote.h"
#include "core/sched.h"
#include "core/term.h"
#include "trace/trace.h"

otp_charge_state otp_charge_receiver(otp_node *node, otp_proc *p) {
  otp_charge_state s = {node->charge, node->charge_forced};
  node->charge = p;
  node->charge_forced = p != node->current;
  return s;
}

void otp_charge_restore(otp_node *node, otp_charge_state s) {
  node->charge = s.charge;
  node->charge_forced = s.forced;
}

/* ---- links ---- */

static void trace_pair(otp_node *node, otp_trace_kind kind, otp_pid a, otp_pid b,
                       uint64_t ref) {
  otp_trace_info info = {.pid = a, .other = b, .ref = ref};
  otp_trace_emit(node, kind, &info);
}

void otp_link(otp_node *node, otp_proc *a, otp_proc *b) {
  if (a == b) return;
  otp_links_add(a, b->pid);
  otp_links_add(b, a->pid);
  if (otp_trace_on(node, OTP_EV_LINK)) trace_pair(node, OTP_EV_LINK, a->pid, b->pid, 0);
}

void otp_unlink(otp_node *node, otp_proc *a, otp_pid b) {
  int had = otp_links_remove(a, b);
  otp_proc *pb = otp_proc_lookup(node, b);
  if (pb) otp_links_remove(pb, a->pid);
  else if (had && otp_is_remote(b) && node->dist_ops) node->dist_ops->unlink(node, a->pid, b);
  if (had && otp_trace_on(node, OTP_EV_UNLINK)) trace_pair(node, OTP_EV_UNLINK, a->pid, b, 0);
}

/* ---- monitors ---- */

/* A cleared monitor record. */
static otp_monitor *monitor_alloc(otp_node *node, lua_State *L) {
  otp_monitor *m = node->monitor_free;
  if (m) {
    node->monitor_free = m->w_next;
    node->monitor_nfree--;
  } else {
    m = malloc(sizeof *m);
  }
  if (!m) {
    luaL_error(L, "not enough memory");
    return NULL;
  }
  otp_records_add(node, sizeof *m);
  memset(m, 0, sizeof *m);
  m->name_ref = m->ref_slot = LUA_NOREF;
  return m;
}

/* Pushes the monitor's ref onto L, a thread of m->vm. */
static void push_monitor_ref(lua_State *L, const otp_monitor *m) {
  if (m->ref_slot != LUA_NOREF) lua_rawgeti(L, LUA_REGISTRYINDEX, m->ref_slot);
  else otp_push_ref(L, m->ref);
}

uint64_t otp_monitor_add(otp_node *node, lua_State *L, otp_proc *watcher,
                     otp_proc *target, int name_idx) {
  otp_monitor *m = monitor_alloc(node, L);
  uint64_t ref = otp_new_ref(L, 0);
  lua_pushvalue(L, -1);
  m->ref_slot = otp_anchor(L);
  m->ref = ref;
  m->watcher = watcher->pid;
  m->target = target->pid;
  m->vm = watcher->vm;
  if (name_idx) {
    lua_pushvalue(L, name_idx);
    m->name_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  m->w_next = watcher->monitors;
  if (m->w_next) m->w_next->w_prev = m;
  watcher->monitors = m;
  m->t_next = target->monitored_by;
  if (m->t_next) m->t_next->t_prev = m;
  target->monitored_by = m;
  if (otp_trace_on(node, OTP_EV_MONITOR)) {
    otp_intern_ref(L, -1);
    trace_pair(node, OTP_EV_MONITOR, watcher->pid, target->pid, ref);
  }
  return ref;
}

static void unlink_watcher(otp_proc *w, otp_monitor *m) {
  if (m->w_prev) m->w_prev->w_next = m->w_next;
  else w->monitors = m->w_next;
  if (m->w_next) m->w_next->w_prev = m->w_prev;
}

static void unlink_target(otp_proc *t, otp_monitor *m) {
  if (m->t_prev) m->t_prev->t_next = m->t_next;
  else t->monitored_by = m->t_next;
  if (m->t_next) m->t_next->t_prev = m->t_prev;
}

otp_proc *otp_alias_target(otp_node *node, lua_State *L, int idx) {
  otp_ref_ud *u = otp_to_ref_ud(L, idx);
  otp_proc *p = u && u->alias ? otp_proc_get(node, u->alias) : NULL;
  if (!p || p->vm == otp_vm_of(L)) return p;
  /* a copy of the ref in another state: the owner's own value says whether
  ** the alias is still active (unalias and demonitor change that one) */
  lua_State *T = p->vm->L;
  lua_rawgeti(T, LUA_REGISTRYINDEX, p->vm->refs_ref);
  lua_rawgeti(T, -1, (lua_Integer)u->id);
  otp_ref_ud *own = otp_to_ref_ud(T, -1);
  int active = own && own->alias == p->pid;
  lua_pop(T, 2);
  if (!active) u->alias = OTP_PID_NONE;
  return active ? p : NULL;
}

/* The monitor's ref stops being an alias. */
static void drop_alias(otp_monitor *m) {
  lua_State *L = m->vm->L;
  push_monitor_ref(L, m);
  ((otp_ref_ud *)lua_touserdata(L, -1))->alias = OTP_PID_NONE;
  lua_pop(L, 1);
}

/* A trace record names the monitor's ref by id: from now on the id must
** find this value (see ref_slot). */
static void intern_monitor_ref(const otp_monitor *m) {
  lua_State *L = m->vm->L;
  push_monitor_ref(L, m);
  otp_intern_ref(L, -1);
  lua_pop(L, 1);
}

static void free_monitor(otp_node *node, otp_monitor *m) {
  if (m->name_ref != LUA_NOREF) luaL_unref(m->vm->L, LUA_REGISTRYINDEX, m->name_ref);
  otp_unanchor(m->vm->L, m->ref_slot);
  otp_records_sub(node, sizeof *m);
  if (node->monitor_nfree == OTP_KEEP_RECORDS) {
    free(m);
    return;
  }
  m->w_next = node->monitor_free;
  node->monitor_free = m;
  node->monitor_nfree++;
}

void otp_monitor_free_pool(otp_node *node) {
  while (node->monitor_free) {
    otp_monitor *m = node->monitor_free;
    node->monitor_free = m->w_next;
    free(m);
  }
  node->monitor_nfree = 0;
}

int otp_demonitor(otp_node *node, otp_proc *watcher, uint64_t ref) {
  for (otp_monitor *m = watcher->monitors; m; m = m->w_next) {
    if (m->ref != ref) continue;
    unlink_watcher(watcher, m);
    if (m->alias) drop_alias(m);
    otp_proc *t = otp_proc_lookup(node, m->target);
    if (t) unlink_target(t, m);
    else if (m->remote_node && node->dist_ops) node->dist_ops->demonitor(node, m);
    if (otp_trace_on(node, OTP_EV_DEMONITOR)) {
      intern_monitor_ref(m);
      trace_pair(node, OTP_EV_DEMONITOR, watcher->pid, m->target, ref);
    }
    free_monitor(node, m);
    return 1;
  }
  return 0;
}

/* otp_send_down of ref, whose value is in the registry slot ref_slot of
** watcher's state (LUA_NOREF: interned); who_pid is the pid at who, or
** OTP_PID_NONE for {name, node}. */
static void send_down(otp_node *node, lua_State *from, otp_proc *watcher, uint64_t ref,
                      int ref_slot, otp_pid who_pid, int who, int reason) {
  otp_carry c = otp_carry_begin(from, reason, watcher->vm);
  lua_State *L = c.L;
  reason = c.idx;
  if (L != from) {
    if (who_pid) otp_push_pid(L, who_pid);
    else otp_carry_begin(from, who, watcher->vm);   /* {name, node} */
    who = lua_gettop(L);
  }
  who = lua_absindex(L, who);
  otp_charge_state cs = otp_charge_receiver(node, watcher);
  lua_createtable(L, 5, 0);
  otp_push_atom(L, OTP_ATOM_DOWN);
  lua_rawseti(L, -2, 1);
  if (ref_slot != LUA_NOREF) lua_rawgeti(L, LUA_REGISTRYINDEX, ref_slot);
  else otp_push_ref(L, ref);
  if (otp_trace_on(node, OTP_EV_DOWN)) otp_intern_ref(L, -1);   /* see intern_monitor_ref */
  lua_rawseti(L, -2, 2);
  otp_push_atom(L, OTP_ATOM_PROCESS);
  lua_rawseti(L, -2, 3);
  if (who_pid) lua_pushvalue(L, who);     /* a pid is its own copy */
  else otp_copy(L, who, OTP_COPY_LENIENT, "pid", 0);
  lua_rawseti(L, -2, 4);
  otp_copy(L, reason, OTP_COPY_LENIENT, "reason", 0);
  lua_rawseti(L, -2, 5);
  otp_charge_restore(node, cs);
  if (otp_trace_on(node, OTP_EV_DOWN)) {
    otp_trace_info info = {.pid = watcher->pid, .other = who_pid,
                           .ref = ref, .L = L, .reason = reason};
    otp_trace_emit(node, OTP_EV_DOWN, &info);
  }
  otp_mailbox_put(node, L, watcher, OTP_PID_NONE);
  otp_carry_end(&c);
}

void otp_send_down(otp_node *node, lua_State *from, otp_proc *watcher, uint64_t ref,
                   int who, int reason) {
  send_down(node, from, watcher, ref, LUA_NOREF, otp_to_pid(from, who), who, reason);
}

/* The DOWN of monitor m (its watcher w) for the reason at reason of L. */
static void monitor_down(otp_node *node, lua_State *L, otp_proc *w, const otp_monitor *m,
                         int reason) {
  otp_monitor_push_target(L, m);
  send_down(node, L, w, m->ref, m->ref_slot, m->name_ref == LUA_NOREF ? m->target : OTP_PID_NONE,
            -1, reason);
  lua_pop(L, 1);
}

void otp_push_name_node(lua_State *L, int name_idx) {
  name_idx = lua_absindex(L, name_idx);
  lua_createtable(L, 2, 0);
  lua_pushvalue(L, name_idx);
  lua_rawseti(L, -2, 1);
  lua_pushstring(L, otp_dist_ops_name(otp_vm_of(L)->node->dist_ops));
  lua_rawseti(L, -2, 2);
}

void otp_monitor_push_target(lua_State *L, const otp_monitor *m) {
  if (m->name_ref == LUA_NOREF) {
    otp_push_pid(L, m->target);
    return;
  }
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, m->name_ref) == LUA_TTABLE) return;  /* {name, node} */
  otp_push_name_node(L, -1);
  lua_remove(L, -2);
}

/* ---- exit signals ---- */

static int is_string(lua_State *L, int idx, const char *s) {
  return lua_type(L, idx) == LUA_TSTRING && strcmp(lua_tostring(L, idx), s) == 0;
}

static void send_exit_message(otp_node *node, lua_State *src, otp_pid from,
                              otp_proc *to, int reason) {
  otp_carry c = otp_carry_begin(src, reason, to->vm);
  lua_State *L = c.L;
  reason = c.idx;
  otp_charge_state cs = otp_charge_receiver(node, to);
  lua_createtable(L, 3, 0);
  otp_push_atom(L, OTP_ATOM_EXIT);
  lua_rawseti(L, -2, 1);
  otp_push_pid(L, from);
  lua_rawseti(L, -2, 2);
  otp_copy(L, reason, OTP_COPY_LENIENT, "reason", 0);
  lua_rawseti(L, -2, 3);
  otp_charge_restore(node, cs);
  otp_mailbox_put(node, L, to, from);
  otp_carry_end(&c);
}

/* to dies with the reason at idx (a fresh copy), or string s if not NULL. */
static int kill_with(otp_node *node, lua_State *src, otp_proc *to, int idx,
                     const char *s) {
  if (s) {
    lua_pushstring(src, s);
    idx = lua_gettop(src);
  }
  otp_carry c = otp_carry_begin(src, idx, to->vm);
  lua_State *L = c.L;
  int current = to == node->current;
  if (current) {
    otp_copy(L, c.idx, OTP_COPY_LENIENT, "reason", 0);
    otp_unanchor(L, to->exit_ref);
    to->exit_ref = otp_anchor(L);
    to->kill_pending = OTP_KILL_REASON;
  } else {
    lua_pushvalue(L, c.idx);
    otp_proc_exit(to, L);
  }
  otp_carry_end(&c);
  if (s) lua_pop(src, 1);
  return current;
}

int otp_signal_exit(otp_node *node, lua_State *L, otp_pid from, otp_proc *to,
                    int reason, otp_signal_kind kind) {
  reason = lua_absindex(L, reason);
  if (!otp_proc_alive(to) || to->kill_pending) return 0;
  if (node->delays && kind == OTP_SIG_EXIT2) otp_delay_flush(node, from, to->pid);
  if (kind == OTP_SIG_EXIT2 && is_string(L, reason, "kill"))   /* A2 */
    return kill_with(node, L, to, 0, "killed");
  if (to->trap_exit) {                                          /* A1, A3, A5, A6 */
    send_exit_message(node, L, from, to, reason);
    return 0;
  }
  if (is_string(L, reason, "normal")) {
    if (kind == OTP_SIG_EXIT2 && from == to->pid)                /* A7 */
      return kill_with(node, L, to, reason, NULL);
    return 0;                                                   /* A1, A5 */
  }
  to->killed_by = from;                       /* for the report of who killed it */
  to->killed_by_link = kind == OTP_SIG_LINK;
  return kill_with(node, L, to, reason, NULL);                  /* A3, A5 */
}

void otp_signal_death(otp_node *node, lua_State *L, otp_proc *p, int reason) {
  reason = lua_absindex(L, reason);
  if (node->delays) otp_delay_flush(node, p->pid, OTP_PID_NONE);   /* its messages first */
  /* links: each peer gets the exit signal (A5) */
  otp_links_drop_index(p);                    /* popped off the array below */
  while (p->nlinks) {
    otp_pid peer = p->links[--p->nlinks];
    otp_proc *q = otp_proc_lookup(node, peer);
    if (!q && otp_is_remote(peer) && node->dist_ops)
      node->dist_ops->exit(node, L, p->pid, peer, reason, 1);
    if (!q) continue;
    otp_links_remove(q, p->pid);
    otp_signal_exit(node, L, p->pid, q, reason, OTP_SIG_LINK);
  }
  /* monitors p held */
  while (p->monitors) {
    otp_monitor *m = p->monitors;
    p->monitors = m->w_next;
    otp_proc *t = otp_proc_lookup(node, m->target);
    if (t) unlink_target(t, m);
    else if (m->remote_node && node->dist_ops) node->dist_ops->demonitor(node, m);
    free_monitor(node, m);
  }
  /* monitors on p: DOWN to each watcher (A10) */
  while (p->monitored_by) {
    otp_monitor *m = p->monitored_by;
    p->monitored_by = m->t_next;
    otp_proc *w = otp_proc_get(node, m->watcher);
    if (w) {
      unlink_watcher(w, m);
      if (m->alias) drop_alias(m);
      monitor_down(node, L, w, m, reason);
    } else if (m->remote_node) {
      if (node->dist_ops) node->dist_ops->down(node, L, m, reason);
    } else {
      otp_proc *wx = otp_proc_lookup(node, m->watcher);
      if (wx) unlink_watcher(wx, m);
    }
    free_monitor(node, m);
  }
}

/* ---- across nodes ---- */

void otp_link_remote(otp_node *node, otp_proc *a, otp_pid r) {
  if (!otp_links_add(a, r)) return;
  if (otp_trace_on(node, OTP_EV_LINK)) trace_pair(node, OTP_EV_LINK, a->pid, r, 0);
  if (node->dist_ops) node->dist_ops->link(node, a->pid, r);
}

static otp_monitor *monitor_new(lua_State *L, uint64_t ref, otp_pid watcher, otp_pid target,
                                otp_vm *vm, uint32_t node_idx, int name_idx) {
  otp_monitor *m = monitor_alloc(vm->node, L);
  m->ref = ref;
  m->watcher = watcher;
  m->target = target;
  m->vm = vm;
  m->remote_node = node_idx;
  m->name_ref = LUA_NOREF;
  if (name_idx) {
    lua_pushvalue(L, name_idx);
    m->name_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  return m;
}

uint64_t otp_monitor_remote(otp_node *node, lua_State *L, otp_proc *watcher, otp_pid target,
                            uint32_t node_idx, int who_idx) {
  who_idx = target ? 0 : lua_absindex(L, who_idx);
  uint64_t ref = otp_new_ref(L, 1);
  otp_monitor *m = monitor_new(L, ref, watcher->pid, target, watcher->vm, node_idx, who_idx);
  m->w_next = watcher->monitors;
  if (m->w_next) m->w_next->w_prev = m;
  watcher->monitors = m;
  if (otp_trace_on(node, OTP_EV_MONITOR))
    trace_pair(node, OTP_EV_MONITOR, watcher->pid, target, ref);
  if (node->dist_ops) node->dist_ops->monitor(node, L, m);
  return ref;
}

void otp_remote_linked(otp_node *node, otp_pid r, otp_proc *p) {
  if (!otp_links_add(p, r)) return;
  if (otp_trace_on(node, OTP_EV_LINK)) trace_pair(node, OTP_EV_LINK, r, p->pid, 0);
}

void otp_remote_unlinked(otp_node *node, otp_pid r, otp_proc *p) {
  if (otp_links_remove(p, r) && otp_trace_on(node, OTP_EV_UNLINK))
    trace_pair(node, OTP_EV_UNLINK, r, p->pid, 0);
}

void otp_remote_exit(otp_node *node, lua_State *L, otp_pid r, otp_proc *p, int reason,
                     int link) {
  if (link && !otp_links_remove(p, r)) return;     /* no link (any more): nothing to break */
  otp_signal_exit(node, L, r, p, reason, link ? OTP_SIG_LINK : OTP_SIG_EXIT2);
}

void otp_remote_monitored(otp_node *node, lua_State *L, otp_pid r, otp_proc *p, uint64_t ref,
                          int name_idx) {
  otp_monitor *m = monitor_new(L, ref, r, p->pid, otp_vm_of(L), otp_remote_node_of(node, r),
                               name_idx ? lua_absindex(L, name_idx) : 0);
  m->t_next = p->monitored_by;
  if (m->t_next) m->t_next->t_prev = m;
  p->monitored_by = m;
  if (otp_trace_on(node, OTP_EV_MONITOR)) trace_pair(node, OTP_EV_MONITOR, r, p->pid, ref);
}

void otp_remote_demonitored(otp_node *node, otp_pid r, otp_proc *p, uint64_t ref) {
  for (otp_monitor *m = p->monitored_by; m; m = m->t_next)
    if (m->ref == ref && m->watcher == r) {
      unlink_target(p, m);
      if (otp_trace_on(node, OTP_EV_DEMONITOR)) trace_pair(node, OTP_EV_DEMONITOR, r, p->pid, ref);
      free_monitor(node, m);
      return;
    }
}

void otp_remote_down(otp_node *node, lua_State *L, otp_proc *w, uint64_t ref, int reason) {
  reason = lua_absindex(L, reason);
  for (otp_monitor *m = w->monitors; m; m = m->w_next)
    if (m->ref == ref && m->remote_node) {
      unlink_watcher(w, m);
      if (m->alias) drop_alias(m);
      monitor_down(node, L, w, m, reason);
      free_monitor(node, m);
      return;
    }
}

/* p's links and monitors across node node_idx break: "noconnection" at the
** reason at reason_idx. */
static void node_gone_for(otp_node *node, lua_State *L, otp_proc *p, uint32_t node_idx,
                          int reason) {
  for (uint32_t i = p->nlinks; i-- > 0;) {
    if (i >= p->nlinks) continue;          /* a signal may have shortened the list */
    otp_pid peer = p->links[i];
    if (!otp_is_remote(peer) || otp_remote_node_of(node, peer) != node_idx) continue;
    otp_links_remove(p, peer);
    otp_signal_exit(node, L, peer, p, reason, OTP_SIG_LINK);
  }
  for (otp_monitor *m = p->monitors, *next; m; m = next) {
    next = m->w_next;
    if (m->remote_node != node_idx) continue;
    unlink_watcher(p, m);
    if (m->alias) drop_alias(m);
    if (otp_proc_alive(p)) {
      monitor_down(node, L, p, m, reason);
    }
    free_monitor(node, m);
  }
  for (otp_monitor *m = p->monitored_by, *next; m; m = next) {
    next = m->t_next;
    if (m->remote_node != node_idx) continue;
    unlink_target(p, m);
    free_monitor(node, m);
  }
}

void otp_remote_nodedown(otp_node *node, lua_State *L, uint32_t node_idx) {
  if (!node_idx) return;
  lua_pushliteral(L, "noconnection");
  int reason = lua_gettop(L);
  for (uint32_t s = 0; s < node->nslots; s++) {
    otp_proc *p = node->procs[s];
    if (p && (p->nlinks || p->monitors || p->monitored_by))
      node_gone_for(node, L, p, node_idx, reason);
  }
  lua_pop(L, 1);
}
