/*
** The node's clock and its deadlines.  Every timer of the node (send_after,
** start_timer, receive and sleep timeouts, delayed messages) is one entry of
** one binary heap ordered by deadline, then by start order (rule A14).  In
** real time one uv timer is armed for the earliest entry.  With virtual time
** (cfg.virtual_time) the clock stands still while any process can run and,
** when none can, jumps to the earliest deadline (otp_clock_advance).
*/
#ifndef OTP_CLOCK_H
#define OTP_CLOCK_H

#include <stdint.h>

struct otp_node;

#define OTP_DEADLINE_NONE UINT32_MAX

typedef struct otp_deadline {
  uint64_t due_ns, seq;
  uint32_t idx;             /* place in the heap, OTP_DEADLINE_NONE when not in it */
  void (*fire)(struct otp_node *node, struct otp_deadline *d);
} otp_deadline;

/* Before the node's first Lua state: under virtual time, time(2) (os.time,
** and the seed of Lua's string hashes) answers from this node's clock. */
void otp_clock_init(struct otp_node *node);
/* The virtual system time of the newest node under virtual time, in *ns:
** 1, or 0 if there is none (the host's time(2) then reads the real clock). */
int otp_clock_wall_override(uint64_t *ns);
/* Closes the uv timer (node teardown; the loop runs its close callback). */
void otp_clock_close(struct otp_node *node);

/* Now, in nanoseconds on the node's monotonic clock (virtual or real). */
uint64_t otp_clock_now(const struct otp_node *node);
/* The system time (ns since the Unix epoch); under virtual time a fixed
** epoch, 2026-01-01T00:00:00Z, plus the virtual time elapsed. */
uint64_t otp_clock_system(const struct otp_node *node);

/* Schedules d to fire ms from now (d must not be scheduled). */
void otp_deadline_start(struct otp_node *node, otp_deadline *d, uint64_t ms);
/* Unschedules d if it is scheduled. */
void otp_deadline_stop(struct otp_node *node, otp_deadline *d);
#define otp_deadline_pending(d) ((d)->idx != OTP_DEADLINE_NONE)
/* Milliseconds until d fires (rounded up), for a scheduled d. */
uint64_t otp_deadline_left_ms(const struct otp_node *node, const otp_deadline *d);

/* Virtual time, nothing runnable: moves the clock to the earliest deadline
** and fires every entry due then. Returns 0 if no deadline was pending. */
int otp_clock_advance(struct otp_node *node);
/* Virtual time, nothing runnable, node->outside_holds > 0: waits for I/O at
** most as long in real time as the earliest deadline is ahead in virtual
** time, so what another OS process sends arrives before the clock jumps past
** it. Returns with a process runnable, or with the deadline's time spent. */
void otp_clock_wait_outside(struct otp_node *node);

#endif
