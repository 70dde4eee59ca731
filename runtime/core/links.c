/*
** The link set (see links.h). Below INDEXED_FROM peers a scan is cheaper
** than any index; from there on an idmap gives each peer's position + 1.
*/
#include <stdint.h>
#include <stdlib.h>
#include "core/idmap.h"
#include "core/links.h"
#include "core/node.h"

#define INDEXED_FROM 16

static void *pos_value(uint32_t pos) { return (void *)(uintptr_t)(pos + 1); }
static uint32_t value_pos(void *v) { return (uint32_t)(uintptr_t)v - 1; }

static void index_put(otp_idmap *x, otp_pid pid, uint32_t pos) {
  if (otp_idmap_put(x, pid, pos_value(pos)) < 0) abort();
}

static void build_index(otp_proc *p) {
  otp_idmap *x = calloc(1, sizeof *x);
  if (!x) abort();
  for (uint32_t k = 0; k < p->nlinks; k++) index_put(x, p->links[k], k);
  p->link_index = x;
}

int otp_links_has(const otp_proc *p, otp_pid pid) {
  if (p->link_index) return otp_idmap_get(p->link_index, pid) != NULL;
  for (uint32_t i = 0; i < p->nlinks; i++)
    if (p->links[i] == pid) return 1;
  return 0;
}

int otp_links_add(otp_proc *p, otp_pid pid) {
  if (otp_links_has(p, pid)) return 0;
  if (p->nlinks == p->caplinks) {
    uint32_t cap = p->caplinks ? p->caplinks * 2 : 2;
    otp_pid *links = realloc(p->links, cap * sizeof *links);
    if (!links) abort();
    otp_proc_records_add(p->node, (cap - p->caplinks) * sizeof *links);
    p->links = links;
    p->caplinks = cap;
  }
  if (p->link_index) index_put(p->link_index, pid, p->nlinks);
  p->links[p->nlinks++] = pid;
  if (!p->link_index && p->nlinks >= INDEXED_FROM) build_index(p);
  return 1;
}

int otp_links_remove(otp_proc *p, otp_pid pid) {
  otp_idmap *x = p->link_index;
  uint32_t pos;
  if (x) {
    void *v = otp_idmap_get(x, pid);
    if (!v) return 0;
    pos = value_pos(v);
    otp_idmap_remove(x, pid);
  } else {
    for (pos = 0; pos < p->nlinks && p->links[pos] != pid; pos++) {}
    if (pos == p->nlinks) return 0;
  }
  uint32_t last = p->nlinks - 1;
  if (pos != last) {               /* the last peer takes the place */
    otp_pid moved = p->links[last];
    p->links[pos] = moved;
    if (x) {
      otp_idmap_remove(x, moved);
      index_put(x, moved, pos);
    }
  }
  p->nlinks--;
  return 1;
}

void otp_links_drop_index(otp_proc *p) {
  if (!p->link_index) return;
  otp_idmap_free(p->link_index);
  free(p->link_index);
  p->link_index = NULL;
}

void otp_links_free(otp_proc *p) {
  otp_links_drop_index(p);
  otp_proc_records_sub(p->node, p->caplinks * sizeof *p->links);
  free(p->links);
  p->links = NULL;
  p->nlinks = p->caplinks = 0;
}
