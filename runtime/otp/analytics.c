/*
** Restart analytics: per-supervisor rings of restarts and budget meters.
** The supervisors are kept in an array sorted by pid (found by binary
** search; inserted and removed by moving the tail, which only happens when a
** supervisor is first seen or dropped).
*/
#include <string.h>
#include "otp/analytics.h"

void otp_analytics_init(otp_analytics *a, otp_realloc_fn fn, void *ud, int ring_max,
                        int keep_dead) {
  memset(a, 0, sizeof *a);
  a->realloc = fn;
  a->ud = ud;
  a->ring_max = ring_max > 0 ? ring_max : OTP_ANALYTICS_RING;
  a->keep_dead = keep_dead >= 0 ? keep_dead : OTP_ANALYTICS_KEEP_DEAD;
}

static void free_sup(otp_analytics *a, otp_sup_analytics *s) {
  if (s->ring) a->realloc(a->ud, s->ring, (size_t)s->cap * sizeof *s->ring, 0);
  otp_restarts_free(&s->budget);
  a->realloc(a->ud, s, sizeof *s, 0);
}

void otp_analytics_free(otp_analytics *a) {
  for (int i = 0; i < a->n; i++) free_sup(a, a->sups[i]);
  if (a->sups) a->realloc(a->ud, a->sups, (size_t)a->cap * sizeof *a->sups, 0);
  a->sups = NULL;
  a->n = a->cap = 0;
}

/* The index of sup, or where it would go (*found says which). */
static int search(const otp_analytics *a, otp_pid sup, int *found) {
  int lo = 0, hi = a->n;
  while (lo < hi) {
    int mid = lo + (hi - lo) / 2;
    if (a->sups[mid]->sup < sup) lo = mid + 1;
    else hi = mid;
  }
  *found = lo < a->n && a->sups[lo]->sup == sup;
  return lo;
}

otp_sup_analytics *otp_analytics_find(const otp_analytics *a, otp_pid sup) {
  int found;
  int i = search(a, sup, &found);
  return found ? a->sups[i] : NULL;
}

otp_sup_analytics *otp_analytics_get(otp_analytics *a, otp_pid sup, int *created) {
  int found;
  int i = search(a, sup, &found);
  if (created) *created = 0;
  if (found) return a->sups[i];
  if (a->n == a->cap) {
    int cap = a->cap ? a->cap * 2 : 8;
    otp_sup_analytics **t = a->realloc(a->ud, a->sups, (size_t)a->cap * sizeof *t,
                                       (size_t)cap * sizeof *t);
    if (!t) return NULL;
    a->sups = t;
    a->cap = cap;
  }
  otp_sup_analytics *s = a->realloc(a->ud, NULL, 0, sizeof *s);
  if (!s) return NULL;
  memset(s, 0, sizeof *s);
  s->sup = sup;
  s->strategy = "one_for_one";
  otp_restarts_init(&s->budget, a->realloc, a->ud);
  memmove(a->sups + i + 1, a->sups + i, (size_t)(a->n - i) * sizeof *a->sups);
  a->sups[i] = s;
  a->n++;
  if (created) *created = 1;
  return s;
}

void otp_analytics_set_flags(otp_sup_analytics *s, const char *strategy, int intensity,
                             int period) {
  if (strategy) s->strategy = strategy;
  s->intensity = intensity;
  s->period = period;
}

int otp_analytics_restart(otp_analytics *a, otp_sup_analytics *s, const otp_restart_rec *r,
                          int64_t now_s) {
  if (s->n == s->cap && s->cap < a->ring_max) {   /* grow: unroll the ring first */
    int cap = s->cap ? s->cap * 2 : 16;
    if (cap > a->ring_max) cap = a->ring_max;
    otp_restart_rec *t = a->realloc(a->ud, NULL, 0, (size_t)cap * sizeof *t);
    if (!t) return -1;
    for (int i = 0; i < s->n; i++) t[i] = s->ring[(s->head + i) % s->cap];
    if (s->ring) a->realloc(a->ud, s->ring, (size_t)s->cap * sizeof *s->ring, 0);
    s->ring = t;
    s->cap = cap;
    s->head = 0;
  }
  if (otp_restarts_add(&s->budget, now_s, s->intensity, s->period) < 0) return -1;
  if (s->n == s->cap) {                             /* full: overwrite the oldest */
    s->ring[s->head] = *r;
    s->head = (s->head + 1) % s->cap;
  } else {
    s->ring[(s->head + s->n) % s->cap] = *r;
    s->n++;
  }
  s->total++;
  return 0;
}

int otp_analytics_gave_up(otp_sup_analytics *s, int64_t now_s) {
  return otp_restarts_add(&s->budget, now_s, s->intensity, s->period) < 0 ? -1 : 0;
}

int otp_analytics_count(const otp_sup_analytics *s) {
  return s->n;
}

const otp_restart_rec *otp_analytics_at(const otp_sup_analytics *s, int i) {
  if (i < 0 || i >= s->n) return NULL;
  return &s->ring[(s->head + i) % s->cap];
}

int otp_analytics_count_after(const otp_sup_analytics *s, int64_t since_ms) {
  int n = 0;
  for (int i = s->n - 1; i >= 0; i--) {   /* newest first: stop at the first older one */
    if (otp_analytics_at(s, i)->t_ms <= since_ms) break;
    n++;
  }
  return n;
}

double otp_analytics_failure_rate(const otp_sup_analytics *s, int64_t now_ms,
                                  int64_t window_ms) {
  if (window_ms <= 0) return 0.0;
  int n = 0;
  for (int i = s->n - 1; i >= 0; i--) {
    int64_t t = otp_analytics_at(s, i)->t_ms;
    if (t <= now_ms - window_ms) break;
    if (t <= now_ms) n++;
  }
  return (double)n * 1000.0 / (double)window_ms;
}

int otp_analytics_used(const otp_sup_analytics *s, int64_t now_s) {
  return otp_restarts_used(&s->budget, now_s, s->period);
}

void otp_analytics_sweep(otp_analytics *a, int (*alive)(void *ud, otp_pid pid), void *ud) {
  int ndead = 0;
  for (int i = 0; i < a->n; i++) {
    otp_sup_analytics *s = a->sups[i];
    if (!s->dead && !alive(ud, s->sup)) s->dead = ++a->deaths;
    ndead += s->dead != 0;
  }
  /* Deaths are numbered 1, 2, ... and the oldest are always the ones dropped,
  ** so the dead still kept carry the last ndead numbers: those numbered up to
  ** deaths - keep_dead go, in one pass that keeps the pid order. */
  if (ndead > a->keep_dead) {
    uint64_t drop_upto = a->deaths - (uint64_t)a->keep_dead;
    int kept = 0;
    for (int i = 0; i < a->n; i++) {
      otp_sup_analytics *s = a->sups[i];
      if (s->dead && s->dead <= drop_upto) free_sup(a, s);
      else a->sups[kept++] = s;
    }
    a->n = kept;
  }
  /* the next sweep a new supervisor brings is due when the records have
  ** doubled: a sweep costs O(n), so each new supervisor pays O(1) */
  a->sweep_at = a->n * 2;
}

int otp_analytics_sweep_due(const otp_analytics *a) {
  return a->n < OTP_ANALYTICS_SWEEP_MIN || a->n >= a->sweep_at;
}

int otp_analytics_copy_text(char *dst, size_t cap, const char *src, size_t len) {
  if (cap == 0) return len > 0;
  if (len < cap) {
    memcpy(dst, src, len);
    dst[len] = '\0';
    return 0;
  }
  size_t keep = cap >= 4 ? cap - 4 : 0;
  while (keep > 0 && ((unsigned char)src[keep] & 0xC0) == 0x80) keep--;  /* whole UTF-8 */
  memcpy(dst, src, keep);
  size_t dots = cap - 1 - keep < 3 ? cap - 1 - keep : 3;
  memcpy(dst + keep, "...", dots);
  dst[keep + dots] = '\0';
  return 1;
}
