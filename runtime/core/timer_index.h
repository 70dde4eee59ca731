/*
** The pending timers of a state by ref id, for cancel_timer and read_timer:
** an open-addressing hash table in C (linear probing, deletion by shifting
** back), so that starting and firing a timer touch no Lua table.
*/
#ifndef OTP_TIMER_INDEX_H
#define OTP_TIMER_INDEX_H

#include <stdint.h>

typedef struct otp_timer_index {
  uint64_t *ids;     /* 0 = empty slot (ref ids start at 1) */
  void **timers;
  uint32_t cap, n;   /* cap: a power of two, or 0 */
} otp_timer_index;

/* Adds id -> timer (id not present). Returns 0, or -1 if out of memory. */
int otp_timer_index_put(otp_timer_index *x, uint64_t id, void *timer);
/* The timer of id, or NULL. */
void *otp_timer_index_get(const otp_timer_index *x, uint64_t id);
/* Removes id if present. */
void otp_timer_index_remove(otp_timer_index *x, uint64_t id);
/* Calls fn on every timer; fn may remove it (and only it) from the index. */
void otp_timer_index_each(otp_timer_index *x, void (*fn)(void *timer));
void otp_timer_index_free(otp_timer_index *x);

#endif
