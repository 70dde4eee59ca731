/*
** Ids to pointers (see idmap.h). Kept at most half full.
*/
#include <stdlib.h>
#include "core/idmap.h"

static uint32_t slot_of(const otp_idmap *x, uint64_t id) {
  id *= 0x9E3779B97F4A7C15ull;          /* ids are consecutive: spread them */
  return (uint32_t)(id >> 32) & (x->cap - 1);
}

static int grow(otp_idmap *x) {
  uint32_t cap = x->cap ? x->cap * 2 : 64;
  uint64_t *ids = calloc(cap, sizeof *ids);
  void **values = calloc(cap, sizeof *values);
  if (!ids || !values) {
    free(ids);
    free(values);
    return -1;
  }
  otp_idmap old = *x;
  x->ids = ids;
  x->values = values;
  x->cap = cap;
  for (uint32_t i = 0; i < old.cap; i++) {
    if (!old.ids[i]) continue;
    uint32_t j = slot_of(x, old.ids[i]);
    while (x->ids[j]) j = (j + 1) & (cap - 1);
    x->ids[j] = old.ids[i];
    x->values[j] = old.values[i];
  }
  free(old.ids);
  free(old.values);
  return 0;
}

int otp_idmap_put(otp_idmap *x, uint64_t id, void *value) {
  if (2 * (x->n + 1) > x->cap && grow(x) < 0) return -1;
  uint32_t i = slot_of(x, id);
  while (x->ids[i]) i = (i + 1) & (x->cap - 1);
  x->ids[i] = id;
  x->values[i] = value;
  x->n++;
  return 0;
}

static int find(const otp_idmap *x, uint64_t id, uint32_t *at) {
  if (!x->cap || !id) return 0;
  for (uint32_t i = slot_of(x, id); x->ids[i]; i = (i + 1) & (x->cap - 1)) {
    if (x->ids[i] == id) {
      *at = i;
      return 1;
    }
  }
  return 0;
}

void *otp_idmap_get(const otp_idmap *x, uint64_t id) {
  uint32_t i;
  return find(x, id, &i) ? x->values[i] : NULL;
}

void otp_idmap_remove(otp_idmap *x, uint64_t id) {
  uint32_t i;
  if (!find(x, id, &i)) return;
  uint32_t mask = x->cap - 1;
  /* shift back the entries of the run after i that may move into the hole */
  for (uint32_t j = (i + 1) & mask; x->ids[j]; j = (j + 1) & mask) {
    uint32_t home = slot_of(x, x->ids[j]);
    if (((j - home) & mask) >= ((j - i) & mask)) {   /* home not in (i, j] */
      x->ids[i] = x->ids[j];
      x->values[i] = x->values[j];
      i = j;
    }
  }
  x->ids[i] = 0;
  x->values[i] = NULL;
  x->n--;
}

void otp_idmap_each(otp_idmap *x, void (*fn)(void *value)) {
  /* a removal only moves later entries of the run back into the hole, so
  ** calling fn until the slot stays empty, slot by slot, visits each once */
  for (uint32_t i = 0; i < x->cap; i++) {
    while (x->ids[i]) {
      uint64_t id = x->ids[i];
      fn(x->values[i]);
      if (x->ids[i] == id) otp_idmap_remove(x, id);   /* fn kept it */
    }
  }
}

void otp_idmap_free(otp_idmap *x) {
  free(x->ids);
  free(x->values);
  x->ids = NULL;
  x->values = NULL;
  x->cap = x->n = 0;
}
