/*
** Timers on the node's clock (clock.h): send_after/start_timer (rule A14) and
** the timeout of a process waiting in receive or sleep.
*/
#ifndef OTP_TIMER_H
#define OTP_TIMER_H

#include <stdint.h>
#include <lua.h>
#include "core/proc.h"

struct otp_node;
struct otp_vm;

/* Starts a timer that delivers the value at msg_idx to dest_idx (a pid or a
** registered name, resolved when it fires) after ms; wrapped as
** {"timeout", tref, msg} if wrap. Pushes the timer ref. */
void otp_timer_start(struct otp_node *node, lua_State *L, uint64_t ms,
                     int dest_idx, int msg_idx, int wrap);
/* Cancels a timer: milliseconds it had left, or -1 if it already fired or
** was cancelled. */
int64_t otp_timer_cancel(struct otp_node *node, lua_State *L, uint64_t id);

/* Cancels and frees the pending timers addressed to p's pid (p is dying). */
void otp_timer_dest_died(otp_proc *p);
/* Forgets that timers point at p, freed without signalling (node teardown). */
void otp_timer_dest_freed(otp_proc *p);

/* Sets up p's receive timeout (a new process). */
void otp_timer_init_receive(otp_proc *p);
/* Wakes p with p->recv_timed_out set after ms. */
void otp_timer_arm_receive(struct otp_node *node, otp_proc *p, uint64_t ms);
void otp_timer_stop_receive(otp_proc *p);

/* Cancels every pending send_after/start_timer of vm's processes (node
** teardown, a sandbox destroyed). */
void otp_timer_close_all(struct otp_vm *vm);
/* Frees the node's cache of timer blocks (at node teardown, after every
** state's otp_timer_close_all). */
void otp_timer_free_cache(struct otp_node *node);

#endif
