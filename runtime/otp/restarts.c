/*
** Restart intensity: OTP keeps [Now | [R || R <- Restarts, R >= Now - Period]]
** and gives up when its length exceeds the intensity. The list never holds
** more than intensity + 1 entries, so the array stays small.
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
  r->n = r->cap = 0;
}

int otp_restarts_add(otp_restarts *r, int64_t now_s, int intensity, int period) {
  int64_t threshold = now_s - period;
  int keep = 0;
  for (int i = 0; i < r->n; i++)
    if (r->t[i] >= threshold) r->t[keep++] = r->t[i];
  r->n = keep;
  if (r->n == r->cap) {
    int cap = r->cap ? r->cap * 2 : 4;
    int64_t *t = r->realloc(r->ud, r->t, (size_t)r->cap * sizeof *t, (size_t)cap * sizeof *t);
    if (!t) return -1;
    r->t = t;
    r->cap = cap;
  }
  r->t[r->n++] = now_s;
  if (r->n <= intensity) return 1;
  return 0;
}

int otp_restarts_used(const otp_restarts *r, int64_t now_s, int period) {
  int n = 0;
  for (int i = 0; i < r->n; i++)
    if (r->t[i] >= now_s - period) n++;
  return n;
}
