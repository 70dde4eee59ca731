/*
** A map from 64-bit ids (never 0) to pointers: an open-addressing hash
** table in C (linear probing, deletion by shifting back). A state's pending
** timers by ref id (cancel_timer, read_timer: starting and firing a timer
** touch no Lua table) and a large link set's positions by pid use it.
*/
#ifndef OTP_IDMAP_H
#define OTP_IDMAP_H

#include <stdint.h>

typedef struct otp_idmap {
  uint64_t *ids;     /* 0 = empty slot (ref ids start at 1) */
  void **values;
  uint32_t cap, n;   /* cap: a power of two, or 0 */
} otp_idmap;

/* Adds id -> value (id not present). Returns 0, or -1 if out of memory. */
int otp_idmap_put(otp_idmap *x, uint64_t id, void *value);
/* The value of id, or NULL. */
void *otp_idmap_get(const otp_idmap *x, uint64_t id);
/* Removes id if present. */
void otp_idmap_remove(otp_idmap *x, uint64_t id);
/* Calls fn on every value; fn may remove it (and only it) from the index. */
void otp_idmap_each(otp_idmap *x, void (*fn)(void *value));
void otp_idmap_free(otp_idmap *x);

#endif
