/*
** The operations a supervisor machine hands out to its driver, oldest first.
** A ring that the machine reserves larger than any job can fill, so running
** a job never allocates.
*/
#ifndef OTP_OUTBOX_H
#define OTP_OUTBOX_H

#include "otp/restarts.h"
#include "otp/supervisor.h"

typedef struct otp_outbox {
  otp_sup_op *q;
  int head, len, cap;
} otp_outbox;

/* Room for at least need operations; 0, or -1 out of memory. */
int otp_outbox_reserve(otp_outbox *o, int need, otp_realloc_fn fn, void *ud);
void otp_outbox_free(otp_outbox *o, otp_realloc_fn fn, void *ud);
/* Appends a cleared operation of this kind and code and returns it. */
otp_sup_op *otp_outbox_push(otp_outbox *o, otp_sup_op_kind kind, int code);
/* Takes the oldest operation into op: 1, or 0 if there is none. */
int otp_outbox_pop(otp_outbox *o, otp_sup_op *op);

#endif
