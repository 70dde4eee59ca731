/*
** The operation ring of the supervisor machines.
*/
#include <string.h>
#include "otp/outbox.h"

int otp_outbox_reserve(otp_outbox *o, int need, otp_realloc_fn fn, void *ud) {
  if (need <= o->cap) return 0;
  int cap = o->cap ? o->cap : 8;
  while (cap < need) cap *= 2;
  otp_sup_op *q = fn(ud, NULL, 0, (size_t)cap * sizeof *q);
  if (!q) return -1;
  for (int i = 0; i < o->len; i++) q[i] = o->q[(o->head + i) % o->cap];   /* unroll */
  otp_outbox_free(o, fn, ud);
  o->q = q;
  o->cap = cap;
  o->head = 0;
  return 0;
}

void otp_outbox_free(otp_outbox *o, otp_realloc_fn fn, void *ud) {
  if (o->q) fn(ud, o->q, (size_t)o->cap * sizeof *o->q, 0);
  o->q = NULL;
}

otp_sup_op *otp_outbox_push(otp_outbox *o, otp_sup_op_kind kind, int code) {
  otp_sup_op *op = &o->q[(o->head + o->len++) % o->cap];
  memset(op, 0, sizeof *op);
  op->kind = kind;
  op->code = code;
  return op;
}

int otp_outbox_pop(otp_outbox *o, otp_sup_op *op) {
  if (!o->len) return 0;
  *op = o->q[o->head];
  o->head = (o->head + 1) % o->cap;
  o->len--;
  return 1;
}
