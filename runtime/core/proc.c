/*
** The process table and the life of a process: creation, exit, finalisation.
*/
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/proc.h"
#include "core/links.h"
#include "core/anchor.h"
#include "core/atom.h"
#include "core/copy.h"
#include "core/carry.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/term.h"
#include "core/timer.h"
#include "trace/trace.h"

#define MAX_SLOTS (1u << OTP_PID_SLOT_BITS)

static int grow_table(otp_node *node) {
  uint32_t n = node->nslots ? node->nslots * 2 : 1024;
  if (n > MAX_SLOTS) n = MAX_SLOTS;
  if (n <= node->nslots) return 0;
  otp_proc **procs = realloc(node->procs, n * sizeof *procs);
  if (!procs) return 0;
  node->procs = procs;
  uint32_t *free_slots = realloc(node->free_slots, n * sizeof *free_slots);
  if (!free_slots) return 0;
  node->free_slots = free_slots;
  for (uint32_t i = n; i > node->nslots; i--) {
    procs[i - 1] = NULL;
    free_slots[node->nfree++] = i - 1;
  }
  otp_records_add(node, (n - node->nslots) * (sizeof *procs + sizeof *free_slots));
  node->nslots = n;
  return 1;
}

void otp_proc_push_pid(lua_State *L, otp_proc *p) {
  if (otp_vm_of(L) == p->vm) lua_rawgeti(L, LUA_REGISTRYINDEX, p->pid_ref);
  else otp_push_pid(L, p->pid);
}

void otp_proc_push_value(lua_State *L, otp_proc *p, int ref) {
  if (ref == LUA_NOREF) {
    lua_pushnil(L);
    return;
  }
  lua_rawgeti(p->vm->L, LUA_REGISTRYINDEX, ref);
  otp_carry_top(p->vm->L, L, NULL);
}

/* The globals table is made the first time something asks for it: a
** process whose code never reaches its globals (a function without
** upvalues) never has one. */
void otp_proc_push_env(lua_State *L, otp_proc *p) {
  if (p->env_ref != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, p->env_ref);
    return;
  }
  otp_charge_state cs = otp_charge_receiver(p->node, p);
  lua_createtable(L, 0, 1);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
  lua_rawgeti(L, LUA_REGISTRYINDEX, p->vm->env_mt_ref);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  p->env_ref = otp_anchor(L);
  otp_charge_restore(p->node, cs);
}

otp_proc *otp_proc_new(otp_node *node, lua_State *L, otp_pid parent) {
  if (node->nfree == 0 && !grow_table(node)) return NULL;
  otp_vm *vm = otp_vm_of(L);
  otp_proc *p = node->proc_free;
  if (p) {
    node->proc_free = p->rq_next;
    node->proc_nfree--;
    memset(p, 0, sizeof *p);
  } else if (!(p = calloc(1, sizeof *p))) {
    return NULL;
  }
  otp_proc_records_add(node, sizeof *p);
  otp_timer_init_receive(p);
  uint32_t slot = node->free_slots[--node->nfree];
  p->pid = otp_pid_make(++node->next_serial, slot);
  p->node = node;
  p->vm = vm;
  vm->nprocs++;
  p->parent = parent;
  p->max_heap = node->cfg.default_max_heap;
  p->exit_ref = p->name_ref = p->label_ref = p->initial_call_ref = LUA_NOREF;
  p->env_ref = LUA_NOREF;                  /* made when first asked for */
  node->procs[slot] = p;
  node->nprocs++;

  otp_charge_state cs = otp_charge_receiver(node, p);
  p->co = lua_newthread(L);
  otp_sched_setup_thread(node, p->co);
  p->co_ref = otp_anchor(L);
  otp_new_pid(L, p->pid);
  p->pid_ref = otp_anchor(L);
  otp_charge_restore(node, cs);
  return p;
}

size_t otp_proc_record_bytes(const otp_proc *p) {
  return sizeof *p + (p->rand ? sizeof *p->rand : 0) + p->mq_len * sizeof(otp_msg) +
         p->caplinks * sizeof *p->links;
}

static void free_proc(otp_node *node, otp_proc *p) {
  lua_State *L = p->vm->L;
  otp_timer_stop_receive(p);       /* its deadline must not outlive it */
  p->vm->nprocs--;
  otp_unanchor(L, p->co_ref);
  otp_unanchor(L, p->env_ref);
  otp_unanchor(L, p->pid_ref);
  otp_unanchor(L, p->exit_ref);
  otp_unanchor(L, p->label_ref);
  otp_unanchor(L, p->initial_call_ref);
  otp_links_free(p);
  otp_proc_records_sub(node, sizeof *p + (p->rand ? sizeof *p->rand : 0));
  free(p->rand);
  node->mem_procs -= p->memory;   /* what it still holds becomes the node's */
  node->procs[otp_pid_slot(p->pid)] = NULL;
  node->free_slots[node->nfree++] = otp_pid_slot(p->pid);
  node->nprocs--;
  if (node->proc_nfree == OTP_KEEP_RECORDS) {
    free(p);
    return;
  }
  p->rq_next = node->proc_free;
  node->proc_free = p;
  node->proc_nfree++;
}

void otp_proc_discard(otp_node *node, otp_proc *p) {
  otp_sched_dequeue(node, p);   /* an allocation may have doomed it meanwhile */
  free_proc(node, p);
}

void otp_proc_start(otp_node *node, otp_proc *p) {
  if (otp_trace_on(node, OTP_EV_SPAWN)) {
    otp_trace_info info = {.pid = p->pid, .other = p->parent};
    otp_trace_emit(node, OTP_EV_SPAWN, &info);
  }
  otp_sched_enqueue(node, p);
}

/* p stops at once (is_alive is false) and waits for otp_proc_reap. */
static void queue_dying(otp_node *node, otp_proc *p) {
  otp_sched_dequeue(node, p);
  p->status = OTP_EXITING;
  p->dying_next = NULL;
  if (node->dying_tail) node->dying_tail->dying_next = p;
  else node->dying_head = p;
  node->dying_tail = p;
}

void otp_proc_exit(otp_proc *p, lua_State *L) {
  otp_node *node = p->node;
  if (!otp_proc_alive(p)) {
    lua_pop(L, 1);
    return;
  }
  otp_copy(L, -1, OTP_COPY_LENIENT, "reason", 0);
  lua_remove(L, -2);
  otp_unanchor(L, p->exit_ref);
  p->exit_ref = otp_anchor(L);
  if (p == node->current) {           /* running: stop at the next safe point */
    otp_sched_kill_soon(node, p, OTP_KILL_REASON);
    return;
  }
  queue_dying(node, p);
}

void otp_proc_exit_normal(otp_proc *p) {
  otp_unanchor(p->vm->L, p->exit_ref);
  p->exit_ref = LUA_NOREF;            /* finalise knows: normal */
  queue_dying(p->node, p);
}

static void finalise(otp_node *node, otp_proc *p) {
  lua_State *L = p->vm->L;
  int top = lua_gettop(L);
  if (p->exit_ref == LUA_NOREF) otp_push_atom(L, OTP_ATOM_NORMAL);  /* otp_proc_exit_normal */
  else lua_rawgeti(L, LUA_REGISTRYINDEX, p->exit_ref);
  int reason = lua_gettop(L);
  if (otp_trace_on(node, OTP_EV_EXIT)) {
    otp_trace_info info = {.pid = p->pid, .L = L, .reason = reason};
    otp_trace_emit(node, OTP_EV_EXIT, &info);
  }
  otp_registry_forget(node, p);
  if (p->vm->gc_after_kill) {   /* killed by a state's or the node's cap: give the */
    p->vm->gc_after_kill = 0;   /* memory back before the EXIT and DOWN messages need it */
    otp_mailbox_clear(node, p);
    otp_unanchor(L, p->co_ref);
    otp_unanchor(L, p->env_ref);
    p->co_ref = p->env_ref = LUA_NOREF;
    p->co = NULL;
    lua_gc(L, LUA_GCCOLLECT, 0);
  }
  otp_signal_death(node, L, p, reason);
  otp_mailbox_clear(node, p);
  otp_timer_dest_died(p);
  otp_timer_stop_receive(p);
  otp_trace_process_exit(node, p->pid);
  if (p->pid == node->first) {      /* the first process lives in the main state */
    node->done = 1;
    lua_pushvalue(L, reason);
    node->first_exit_ref = luaL_ref(L, LUA_REGISTRYINDEX);
    node->first_killed_by_link = p->killed_by_link ? p->killed_by : OTP_PID_NONE;
  }
  otp_proc_push_pid(L, p);      /* whoever holds this pid keeps the same value */
  otp_intern_pid(L, -1, p->pid);
  lua_settop(L, top);
  free_proc(node, p);
}

void otp_proc_reap(otp_node *node) {
  otp_proc *p;
  while ((p = node->dying_head) != NULL) {
    node->dying_head = p->dying_next;
    if (!node->dying_head) node->dying_tail = NULL;
    finalise(node, p);
  }
}

void otp_proc_free_all(otp_node *node) {
  for (uint32_t i = 0; i < node->nslots; i++) {
    otp_proc *p = node->procs[i];
    if (!p) continue;
    otp_mailbox_clear(node, p);
    while (p->monitors) {
      otp_monitor *m = p->monitors;
      p->monitors = m->w_next;
      free(m);
    }
    otp_timer_dest_freed(p);
    otp_timer_stop_receive(p);
    otp_links_free(p);
    free(p->rand);
    free(p);
    node->procs[i] = NULL;
  }
  while (node->proc_free) {
    otp_proc *p = node->proc_free;
    node->proc_free = p->rq_next;
    free(p);
  }
  node->proc_nfree = 0;
  free(node->procs);
  free(node->free_slots);
  node->procs = NULL;
  node->free_slots = NULL;
  node->nslots = node->nfree = node->nprocs = 0;
}

void otp_proc_push_location(lua_State *L, otp_proc *p) {
  lua_Debug ar;
  for (int level = 0; lua_getstack(p->co, level, &ar); level++) {
    if (lua_getinfo(p->co, "Sl", &ar) && ar.currentline >= 0) {
      lua_pushfstring(L, "%s:%d", ar.short_src, ar.currentline);
      return;
    }
  }
  lua_pushnil(L);
}
