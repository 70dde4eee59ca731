/*
** Restart intensity (OTP_RULES.md C9): a supervisor remembers when it made
** each automatic restart, in whole monotonic seconds; a restart is allowed
** while, counting it, no more than `intensity` restarts fall within the last
** `period` seconds. One entry per failure, even when a strategy restarts a
** whole group.
*/
#ifndef OTP_RESTARTS_H
#define OTP_RESTARTS_H

#include <stddef.h>
#include <stdint.h>

/* The allocator of the runtime's C structures (lua_Alloc's signature):
** nsize 0 frees. */
typedef void *(*otp_realloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

typedef struct otp_restarts {
  int64_t *t;          /* restart times t[head..n), oldest first: times only
                          grow, so the expired ones are a prefix */
  int head, n, cap;
  otp_realloc_fn realloc;
  void *ud;
} otp_restarts;

void otp_restarts_init(otp_restarts *r, otp_realloc_fn fn, void *ud);
void otp_restarts_free(otp_restarts *r);

/* Records a restart at now_s: drops the entries older than now_s - period,
** appends now_s, and returns 1 if the count is still <= intensity, 0 if the
** supervisor must give up (OTP's add_restart). Returns -1 if out of memory. */
int otp_restarts_add(otp_restarts *r, int64_t now_s, int intensity, int period);

/* How many recorded restarts fall within the period ending at now_s. */
int otp_restarts_used(const otp_restarts *r, int64_t now_s, int period);

#endif
