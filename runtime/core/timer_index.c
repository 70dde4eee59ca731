/*
** Timers by ref id (see timer_index.h). Kept at most half full.
*/
#include <stdlib.h>
#include "core/timer_index.h"

static uint32_t slot_of(const otp_timer_index *x, uint64_t id) {
  id *= 0x9E3779B97F4A7C15ull;          /* ids are consecutive: spread them */
  return (uint32_t)(id >> 32) & (x->cap - 1);
}

static int grow(otp_timer_index *x) {
  uint32_t cap = x->cap ? x->cap * 2 : 64;
  uint64_t *ids = calloc(cap, sizeof *ids);
  void **timers = calloc(cap, sizeof *timers);
  if (!ids || !timers) {
    free(ids);
    free(timers);
    return -1;
  }
  otp_timer_index old = *x;
  x->ids = ids;
  x->timers = timers;
  x->cap = cap;
  for (uint32_t i = 0; i < old.cap; i++) {
    if (!old.ids[i]) continue;
    uint32_t j = slot_of(x, old.ids[i]);
    while (x->ids[j]) j = (j + 1) & (cap - 1);
    x->ids[j] = old.ids[i];
    x->timers[j] = old.timers[i];
  }
  free(old.ids);
  free(old.timers);
  return 0;
}

int otp_timer_index_put(otp_timer_index *x, uint64_t id, void *timer) {
  if (2 * (x->n + 1) > x->cap && grow(x) < 0) return -1;
  uint32_t i = slot_of(x, id);
  while (x->ids[i]) i = (i + 1) & (x->cap - 1);
  x->ids[i] = id;
  x->timers[i] = timer;
  x->n++;
  return 0;
}

static int find(const otp_timer_index *x, uint64_t id, uint32_t *at) {
  if (!x->cap || !id) return 0;
  for (uint32_t i = slot_of(x, id); x->ids[i]; i = (i + 1) & (x->cap - 1)) {
    if (x->ids[i] == id) {
      *at = i;
      return 1;
    }
  }
  return 0;
}

void *otp_timer_index_get(const otp_timer_index *x, uint64_t id) {
  uint32_t i;
  return find(x, id, &i) ? x->timers[i] : NULL;
}

void otp_timer_index_remove(otp_timer_index *x, uint64_t id) {
  uint32_t i;
  if (!find(x, id, &i)) return;
  uint32_t mask = x->cap - 1;
  /* shift back the entries of the run after i that may move into the hole */
  for (uint32_t j = (i + 1) & mask; x->ids[j]; j = (j + 1) & mask) {
    uint32_t home = slot_of(x, x->ids[j]);
    if (((j - home) & mask) >= ((j - i) & mask)) {   /* home not in (i, j] */
      x->ids[i] = x->ids[j];
      x->timers[i] = x->timers[j];
      i = j;
    }
  }
  x->ids[i] = 0;
  x->timers[i] = NULL;
  x->n--;
}

void otp_timer_index_each(otp_timer_index *x, void (*fn)(void *timer)) {
  /* a removal only moves later entries of the run back into the hole, so
  ** calling fn until the slot stays empty, slot by slot, visits each once */
  for (uint32_t i = 0; i < x->cap; i++) {
    while (x->ids[i]) {
      uint64_t id = x->ids[i];
      fn(x->timers[i]);
      if (x->ids[i] == id) otp_timer_index_remove(x, id);   /* fn kept it */
    }
  }
}

void otp_timer_index_free(otp_timer_index *x) {
  free(x->ids);
  free(x->timers);
  x->ids = NULL;
  x->timers = NULL;
  x->cap = x->n = 0;
}
