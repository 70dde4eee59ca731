/*
** The scheduler: a run queue of processes, each resumed for one slice.
** Preemption (see sched.c) is a watchdog that arms a count hook only when a
** slice overruns, or, with cfg.reductions, a permanent count hook.
*/
#ifndef OTP_SCHED_H
#define OTP_SCHED_H

#include <lua.h>
#include "core/proc.h"

struct otp_node;

/* Why a process must die at its next safe point. */
enum {
  OTP_KILL_NONE,
  OTP_KILL_REASON,  /* exit_ref holds the reason */
  OTP_KILL_HEAP,    /* over max_heap or the node's memory: reason "killed" */
  OTP_KILL_STUCK,   /* too long in a call that cannot be preempted */
  OTP_KILL_CPU      /* over its sandbox's max_reductions */
};

void otp_sched_init(struct otp_node *node);
void otp_sched_close(struct otp_node *node);

/* Makes p runnable (appends it to the run queue). */
void otp_sched_enqueue(struct otp_node *node, otp_proc *p);
/* Removes p from the run queue if it is there. */
void otp_sched_dequeue(struct otp_node *node, otp_proc *p);
/* A waiting p has something to look at: make it runnable. */
void otp_sched_wake(struct otp_node *node, otp_proc *p);

/* Marks the process to die at its next safe point (for the running process:
** the next instruction where it can yield). */
void otp_sched_kill_soon(struct otp_node *node, otp_proc *p, int why);

/* Interrupts p, which is not running: it raises the value on top of L
** (popped) at its next Lua instruction, or in the receive, sleep or yield
** it waits in (woken for it), whichever comes first: an error its code
** can catch, unlike an exit signal (the console's Ctrl-C in a lesson's
** pause). otp_sched_uninterrupt withdraws an interrupt not yet raised. */
void otp_sched_interrupt(struct otp_node *node, otp_proc *p, lua_State *L);
void otp_sched_uninterrupt(struct otp_node *node, otp_proc *p);

/* Yields the running process to the scheduler from a C function. */
/* Accounts reductions p spent in a slice ending at now_ns; returns 1 if p
** is now over its state's max_reductions for the current second. */
int otp_sched_over_budget(otp_proc *p, uint64_t reductions, uint64_t now_ns);

int otp_sched_yieldk(lua_State *L, otp_yield_kind kind, lua_KContext ctx,
                     lua_KFunction k);

/* The running process ends itself now, with the reason set by the caller in
** p->exit_ref (OTP_KILL_REASON): yields, or if that is impossible here,
** raises an error and dies at the next safe point. Never returns normally. */
int otp_sched_die(lua_State *L);

/* Runs processes until the run queue is empty or it is time to poll I/O. */
void otp_sched_run(struct otp_node *node);

/* Gives a new coroutine the count hook in deterministic mode. */
void otp_sched_setup_thread(struct otp_node *node, lua_State *co);

/* Keeps the watchdog looking at the thread that really runs (a process's
** own coroutines); returns the previous one. */
lua_State *otp_sched_set_running(struct otp_node *node, lua_State *T);

/* A preemption reached a coroutine co resumed by L from a call that cannot
** yield: L is stuck since *since (0 the first time). Past the stuck limit this
** raises the stuck-call error; before it, co is armed to come back soon. */
void otp_sched_stuck_inner(lua_State *L, lua_State *co, uint64_t *since);

/* Long work in C that can stop and go on (a sandbox's pattern matching):
** it did `work` more steps; 1 if the running process should give up the
** CPU now (its slice is over: the watchdog's slice_ms, or cfg.reductions
** steps in deterministic mode). */
int otp_sched_c_slice_over(lua_State *L, unsigned work);

/* Gives up the CPU from such work: yields to the scheduler (the process
** goes on in k next slice), or, where L cannot yield (a table.sort
** comparator, a metamethod), runs the stuck-call clock instead: returns 0
** to go on, and raises the stuck-call error past the limit. */
int otp_sched_c_pause(lua_State *L, lua_KContext ctx, lua_KFunction k);

#endif
