/*
** Restart intensity: OTP keeps [Now | [R || R <- Restarts, R >= Now - Period]]
** and gives up when its length exceeds the intensity.  The times only grow,
** so the expired entries are dropped from the front by moving `head`, and the
** array is compacted only when it is full: a restart costs O(1) amortised,
** however large the intensity.
*/
#include <string.h>
#include "otp/restarts.h"

void otp_restarts_init(otp_restarts *r, otp_realloc_fn fn, void *ud) {
  memset(r, 0, sizeof *r);
  r->realloc = fn;
  r->ud = ud;
}

void otp_restarts_free(otp_restarts *r) {
  if (r->t) r->realloc(r->ud, r->t, (size_t)r->cap * sizeof *r->t, 0);
  r->t = NULL;
  r->head = r->n = r->cap = 0;
}

int otp_restarts_add(otp_restarts *r, int64_t now_s, int intensity, int period) {
  int64_t threshold = now_s - period;
  while (r->head < r->n && r->t[r->head] < threshold) r->head++;
  if (r->n == r->cap) {
    if (r->head > 0) {                    /* room at the front: compact */
      memmove(r->t, r->t + r->head, (size_t)(r->n - r->head) * sizeof *r->t);
      r->n -= r->head;
      r->head = 0;
    }
    if (r->n == r->cap) {
      int cap = r->cap ? r->cap * 2 : 4;
      int64_t *t = r->realloc(r->ud, r->t, (size_t)r->cap * sizeof *t, (size_t)cap * sizeof *t);
      if (!t) return -1;
      r->t = t;
      r->cap = cap;
    }
  }
  r->t[r->n++] = now_s;
  return r->n - r->head <= intensity ? 1 : 0;
}

int otp_restarts_used(const otp_restarts *r, int64_t now_s, int period) {
  int n = 0;
  for (int i = r->head; i < r->n; i++)
    if (r->t[i] >= now_s - period) n++;
  return n;
}
