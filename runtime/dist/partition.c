/*
** Partitions as a teaching tool: otp.disconnect(node, {block_ms = N}) drops
** the connection and, for N ms, refuses to connect to that node or to
** accept it, so a scenario can keep a cluster split and then watch it heal.
** A handful of blocks at most: a plain array, expired entries dropped as
** they are met.
*/
#include <stdlib.h>
#include <string.h>
#include "dist/dist_internal.h"

static void forget(struct otp_dist *d, size_t i) {
  d->blocks[i] = d->blocks[--d->nblocks];
  if (d->nblocks == 0) {
    free(d->blocks);
    d->blocks = NULL;
  }
}

int dist_is_blocked(struct otp_dist *d, const char *peer) {
  uint64_t now = wire_now_ms();
  for (size_t i = 0; i < d->nblocks;) {
    if (d->blocks[i].until_ms <= now) {
      forget(d, i);
      continue;
    }
    if (strcmp(d->blocks[i].name, peer) == 0) return 1;
    i++;
  }
  return 0;
}

void dist_block_node(struct otp_dist *d, const char *peer, uint64_t ms) {
  if (ms == 0 || strlen(peer) > MAXNODELEN) return;
  uint64_t until = wire_now_ms() + ms;
  for (size_t i = 0; i < d->nblocks; i++)
    if (strcmp(d->blocks[i].name, peer) == 0) {
      if (until > d->blocks[i].until_ms) d->blocks[i].until_ms = until;
      return;
    }
  dist_block *b = realloc(d->blocks, (d->nblocks + 1) * sizeof *b);
  if (!b) return;
  d->blocks = b;
  strcpy(b[d->nblocks].name, peer);
  b[d->nblocks++].until_ms = until;
}
