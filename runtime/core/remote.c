/*
** The table of remote pids and refs: an array of entries (index -> id) and
** an open-addressing hash (id -> index) to intern them.  Entries are never
** removed: a pid must stay the same value for as long as anything holds it,
** and the table is capped so a peer sending endless fresh pids only ends
** up with error values.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/remote.h"
#include "core/node.h"

struct otp_remote {
  otp_remote_id *ids;        /* ids[i - 1] is entry i */
  uint32_t nids, capids;
  uint32_t *slots;           /* hash of entry indices, 0 = empty */
  uint32_t nslots;
  char **nodes;              /* nodes[i - 1] is node index i */
  uint32_t nnodes, capnodes;
};

static struct otp_remote *table(otp_node *node) {
  if (!node->remote) node->remote = calloc(1, sizeof *node->remote);
  return node->remote;
}

uint32_t otp_remote_node(otp_node *node, const char *name) {
  struct otp_remote *t = table(node);
  if (!t) return 0;
  for (uint32_t i = 0; i < t->nnodes; i++)
    if (strcmp(t->nodes[i], name) == 0) return i + 1;
  if (t->nnodes >= OTP_REMOTE_MAX_NODES) return 0;
  if (t->nnodes == t->capnodes) {
    uint32_t cap = t->capnodes ? t->capnodes * 2 : 8;
    char **nodes = realloc(t->nodes, cap * sizeof *nodes);
    if (!nodes) return 0;
    t->nodes = nodes;
    t->capnodes = cap;
  }
  char *copy = strdup(name);
  if (!copy) return 0;
  t->nodes[t->nnodes++] = copy;
  return t->nnodes;
}

const char *otp_remote_node_name(const otp_node *node, uint32_t i) {
  const struct otp_remote *t = node->remote;
  return t && i >= 1 && i <= t->nnodes ? t->nodes[i - 1] : NULL;
}

static uint32_t hash_id(const otp_remote_id *id) {
  uint32_t h = 2166136261u;
  const uint32_t words[4] = {id->kind, id->node, id->creation, id->len};
  for (int i = 0; i < 4; i++) h = (h ^ words[i]) * 16777619u;
  for (uint32_t i = 0; i < id->len && i < 5; i++) h = (h ^ id->n[i]) * 16777619u;
  return h;
}

static int same_id(const otp_remote_id *a, const otp_remote_id *b) {
  if (a->kind != b->kind || a->node != b->node || a->creation != b->creation ||
      a->len != b->len)
    return 0;
  return memcmp(a->n, b->n, a->len * sizeof a->n[0]) == 0;
}

static void put_slot(struct otp_remote *t, uint32_t index) {
  uint32_t mask = t->nslots - 1;
  for (uint32_t s = hash_id(&t->ids[index - 1]) & mask;; s = (s + 1) & mask)
    if (!t->slots[s]) {
      t->slots[s] = index;
      return;
    }
}

static int grow(struct otp_remote *t) {
  if (t->nids == t->capids) {
    uint32_t cap = t->capids ? t->capids * 2 : 64;
    otp_remote_id *ids = realloc(t->ids, cap * sizeof *ids);
    if (!ids) return -1;
    t->ids = ids;
    t->capids = cap;
  }
  if ((t->nids + 1) * 2 > t->nslots) {       /* keep the hash at most half full */
    uint32_t n = t->nslots ? t->nslots * 2 : 128;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots) return -1;
    free(t->slots);
    t->slots = slots;
    t->nslots = n;
    for (uint32_t i = 1; i <= t->nids; i++) put_slot(t, i);
  }
  return 0;
}

uint64_t otp_remote_intern(otp_node *node, const otp_remote_id *id) {
  struct otp_remote *t = table(node);
  if (!t || id->len > 5) return 0;
  otp_remote_id key = *id;
  for (uint32_t i = key.len; i < 5; i++) key.n[i] = 0;
  if (t->nslots) {
    uint32_t mask = t->nslots - 1;
    for (uint32_t s = hash_id(&key) & mask; t->slots[s]; s = (s + 1) & mask)
      if (same_id(&t->ids[t->slots[s] - 1], &key)) return OTP_REMOTE_BIT | t->slots[s];
  }
  if (t->nids >= OTP_REMOTE_MAX_ENTRIES || grow(t) != 0) return 0;
  t->ids[t->nids++] = key;
  put_slot(t, t->nids);
  return OTP_REMOTE_BIT | t->nids;
}

const otp_remote_id *otp_remote_get(const otp_node *node, uint64_t v) {
  const struct otp_remote *t = node->remote;
  if (!otp_is_remote(v) || !t) return NULL;
  uint64_t i = v & ~OTP_REMOTE_BIT;
  return i >= 1 && i <= t->nids ? &t->ids[i - 1] : NULL;
}

uint32_t otp_remote_node_of(const otp_node *node, uint64_t v) {
  const otp_remote_id *id = otp_remote_get(node, v);
  return id ? id->node : 0;
}

void otp_remote_format(const otp_node *node, uint64_t v, char *buf, size_t len) {
  const otp_remote_id *id = otp_remote_get(node, v);
  if (!id) {
    snprintf(buf, len, "<?>");
  } else if (id->kind == OTP_REMOTE_PID) {
    snprintf(buf, len, "<%u.%u.%u>", id->node, id->n[0], id->n[1]);
  } else {
    int at = snprintf(buf, len, "#Ref<%u", id->node);
    for (uint32_t i = id->len; i > 0 && at > 0 && (size_t)at < len; i--)
      at += snprintf(buf + at, len - (size_t)at, ".%u", id->n[i - 1]);
    if (at > 0 && (size_t)at < len) snprintf(buf + at, len - (size_t)at, ">");
  }
}

void otp_remote_free(otp_node *node) {
  struct otp_remote *t = node->remote;
  if (!t) return;
  for (uint32_t i = 0; i < t->nnodes; i++) free(t->nodes[i]);
  free(t->nodes);
  free(t->ids);
  free(t->slots);
  free(t);
  node->remote = NULL;
}
