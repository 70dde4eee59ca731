/*
** A bounded walk over the external term format: ei's decoders trust the
** lengths inside a term and read wherever they point, so every term from
** another node is walked here first, against the end of its buffer.
*/
#include "dist/dist_term.h"

#define MAX_CHECK_DEPTH 1000
#define MAX_ATOM_BYTES (255 * 4)

typedef struct { const unsigned char *b; size_t len, at; } cursor;

static int need(cursor *c, size_t n) { return c->len - c->at >= n ? 0 : -1; }

static uint32_t get(cursor *c, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; i++) v = v << 8 | c->b[c->at++];
  return v;
}

static int skip(cursor *c, size_t n) {
  if (need(c, n) != 0) return -1;
  c->at += n;
  return 0;
}

static int check(cursor *c, int depth);

static int check_atom(cursor *c) {
  if (need(c, 1) != 0) return -1;
  int tag = c->b[c->at++];
  size_t n, max = MAX_ATOM_BYTES;
  switch (tag) {
  case ERL_ATOM_EXT: case ERL_ATOM_UTF8_EXT:
    if (need(c, 2) != 0) return -1;
    n = get(c, 2);
    break;
  case ERL_SMALL_ATOM_EXT: case ERL_SMALL_ATOM_UTF8_EXT:
    if (need(c, 1) != 0) return -1;
    n = get(c, 1);
    break;
  default:
    return -1;
  }
  if (tag == ERL_ATOM_EXT || tag == ERL_SMALL_ATOM_EXT) max = 255;  /* Latin-1: UTF-8 doubles it */
  return n > max ? -1 : skip(c, n);
}

static int check_n(cursor *c, uint64_t n, int depth) {
  if (n > c->len - c->at) return -1;            /* every term takes a byte at least */
  for (uint64_t i = 0; i < n; i++)
    if (check(c, depth + 1) != 0) return -1;
  return 0;
}

static int check(cursor *c, int depth) {
  if (depth > MAX_CHECK_DEPTH || need(c, 1) != 0) return -1;
  int tag = c->b[c->at];
  switch (tag) {
  case ERL_ATOM_EXT: case ERL_ATOM_UTF8_EXT: case ERL_SMALL_ATOM_EXT:
  case ERL_SMALL_ATOM_UTF8_EXT:
    return check_atom(c);
  }
  c->at++;
  switch (tag) {
  case ERL_SMALL_INTEGER_EXT: return skip(c, 1);
  case ERL_INTEGER_EXT: return skip(c, 4);
  case NEW_FLOAT_EXT: return skip(c, 8);
  case ERL_FLOAT_EXT: return skip(c, 31);
  case ERL_NIL_EXT: return 0;
  case ERL_STRING_EXT:
    if (need(c, 2) != 0) return -1;
    return skip(c, get(c, 2));
  case ERL_BINARY_EXT:
    if (need(c, 4) != 0) return -1;
    return skip(c, get(c, 4));
  case ERL_BIT_BINARY_EXT:
    if (need(c, 5) != 0) return -1;
    { size_t n = get(c, 4); c->at++; return skip(c, n); }
  case ERL_SMALL_BIG_EXT:
    if (need(c, 2) != 0) return -1;
    { size_t n = get(c, 1); c->at++; return skip(c, n); }
  case ERL_LARGE_BIG_EXT:
    if (need(c, 5) != 0) return -1;
    { size_t n = get(c, 4); c->at++; return skip(c, n); }
  case ERL_SMALL_TUPLE_EXT:
    if (need(c, 1) != 0) return -1;
    return check_n(c, get(c, 1), depth);
  case ERL_LARGE_TUPLE_EXT:
    if (need(c, 4) != 0) return -1;
    return check_n(c, get(c, 4), depth);
  case ERL_MAP_EXT:
    if (need(c, 4) != 0) return -1;
    return check_n(c, 2 * (uint64_t)get(c, 4), depth);
  case ERL_LIST_EXT:
    if (need(c, 4) != 0) return -1;
    return check_n(c, (uint64_t)get(c, 4) + 1, depth);    /* the elements and the tail */
  case ERL_PID_EXT:
    return check_atom(c) || skip(c, 9);
  case ERL_NEW_PID_EXT:
    return check_atom(c) || skip(c, 12);
  case ERL_PORT_EXT:
    return check_atom(c) || skip(c, 5);
  case ERL_NEW_PORT_EXT:
    return check_atom(c) || skip(c, 8);
  case ERL_V4_PORT_EXT:
    return check_atom(c) || skip(c, 12);
  case ERL_REFERENCE_EXT:
    return check_atom(c) || skip(c, 5);
  case ERL_NEW_REFERENCE_EXT: case ERL_NEWER_REFERENCE_EXT: {
    if (need(c, 2) != 0) return -1;
    size_t n = get(c, 2);
    if (n < 1 || n > 5 || check_atom(c) != 0) return -1;   /* ei holds at most 5 words */
    return skip(c, (tag == ERL_NEWER_REFERENCE_EXT ? 4 : 1) + 4 * n);
  }
  case ERL_EXPORT_EXT:
    return check_n(c, 3, depth);
  case ERL_NEW_FUN_EXT: {      /* Size counts itself: skipped whole, never decoded */
    if (need(c, 4) != 0) return -1;
    size_t size = get(c, 4);
    return size < 4 ? -1 : skip(c, size - 4);
  }
  case ERL_FUN_EXT: {          /* NumFree, Pid, Module, Index, Uniq, free variables */
    if (need(c, 4) != 0) return -1;
    uint32_t nfree = get(c, 4);
    return check_n(c, 4 + (uint64_t)nfree, depth);
  }
  default:
    return -1;                 /* atom cache refs, LOCAL_EXT, unknown tags */
  }
}

int otp_dist_check_term(const char *buf, size_t len, size_t *index) {
  cursor c = {(const unsigned char *)buf, len, *index};
  if (c.at > len || check(&c, 0) != 0) return -1;
  *index = c.at;
  return 0;
}
