/*
** Held messages (otp.fault.delay): a message from one process to another
** that waits before it reaches the mailbox.  Held messages of one
** sender-receiver pair form one FIFO, so a later message of the pair waits
** behind an earlier held one and the pair's order (rule A13) never changes:
** a message is released at its own deadline or with the one before it,
** whichever is later, and at the latest when the sender's next signal to
** the receiver goes (its exit, an exit/2).  Other pairs are not held back.
*/
#ifndef OTP_DELAY_H
#define OTP_DELAY_H

#include <stdint.h>
#include <lua.h>
#include "core/proc.h"

struct otp_node;

/* Is anything of from -> to held (then every message of the pair must be)? */
int otp_delay_pair_held(struct otp_node *node, otp_pid from, otp_pid to);
/* Holds the message on top of L (popped; L a thread of to's state, the main
** state) for ms, behind the pair's held messages. */
void otp_delay_hold(struct otp_node *node, lua_State *L, otp_pid from, otp_proc *to,
                    uint64_t ms);
/* Delivers at once what from holds for to (every receiver if to is
** OTP_PID_NONE): a signal of the pair (from's exit, an exit/2) is about to
** go, and signals of a pair keep their order with its messages. */
void otp_delay_flush(struct otp_node *node, otp_pid from, otp_pid to);
/* Frees every held message (node teardown). */
void otp_delay_free_all(struct otp_node *node);

#endif
