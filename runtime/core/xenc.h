/*
** The cross-state encoder's state and byte primitives, shared by its walk
** (xencode.c: values, tables, paths in errors) and its crossing of code
** (xencode_code.c: functions, upvalues, modules, C functions).  The
** primitives are static inline so that the hot path still inlines them.
*/
#ifndef OTP_XENC_H
#define OTP_XENC_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/xcopy.h"
#include "core/xwire.h"

typedef struct frame {
  const struct frame *up;
  int key;             /* stack index of the key, 0 if none */
  lua_Integer index;   /* array index when key is 0 and index > 0 */
  const char *upvalue; /* name of the upvalue being encoded, or NULL */
} frame;

typedef struct slot {
  const void *key;     /* a table, function or upvalue cell */
  uint32_t a, b;       /* its number; for a cell, function number and upvalue */
} slot;

typedef struct enc {
  lua_State *L;
  otp_xbuf *b;
  otp_copy_mode mode;
  const char *root;
  int root_index;      /* several values: which one (-1: one) */
  int depth;
  uint32_t nobj;       /* tables and functions started so far */
  int refs;            /* a BACK or JOIN was written */
  slot *slots;         /* open addressing, keys by address */
  uint32_t mask, count;
  int shared, env_mt, globals, cfuncs;   /* stack slots (cfuncs: nil until needed) */
  int terms;           /* stack slot of the array pids and refs go to, 0: inline */
  lua_Integer nterms;
  slot inline_slots[INLINE_SLOTS];
} enc;

static inline void oom(enc *e) {
  luaL_error(e->L, "not enough memory");
}

static inline void reserve(enc *e, size_t k) {
  otp_xbuf *b = e->b;
  if (b->cap - b->len >= k) return;
  size_t cap = b->cap * 2;
  while (cap - b->len < k) cap *= 2;
  otp_xbuf *nb = realloc(b, sizeof *b + cap);
  if (nb == NULL) oom(e);
  nb->cap = cap;
  e->b = nb;
}

static inline void put_byte(enc *e, int c) {
  reserve(e, 1);
  e->b->data[e->b->len++] = (unsigned char)c;
}

static inline int varint_len(uint64_t v) {
  int k = 1;
  while (v >= 0x80) v >>= 7, k++;
  return k;
}

static inline void put_varint(enc *e, uint64_t v) {
  reserve(e, 10);
  unsigned char *p = e->b->data + e->b->len;
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  e->b->len = (size_t)(p - e->b->data);
}

static inline void put_bytes(enc *e, const void *s, size_t n) {
  reserve(e, n);
  memcpy(e->b->data + e->b->len, s, n);
  e->b->len += n;
}

static inline void put_string(enc *e, const char *s, size_t n) {
  put_varint(e, n);
  put_bytes(e, s, n);
}

/* A varint whose value is known only after what follows it was written:
** one byte is reserved at pos, and moved over when the value needs more. */
static inline void patch_varint(enc *e, size_t pos, uint64_t v) {
  int k = varint_len(v);
  if (k > 1) {
    reserve(e, (size_t)k - 1);
    unsigned char *d = e->b->data;
    memmove(d + pos + k, d + pos + 1, e->b->len - pos - 1);
    e->b->len += (size_t)k - 1;
  }
  unsigned char *p = e->b->data + pos;
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p = (unsigned char)v;
}

/* ---- xencode.c ---- */
void xenc_value(enc *e, int idx, const frame *up);
/* A value that cannot cross: in lenient mode its name, else badarg. */
void xenc_refuse(enc *e, const frame *up, const char *what);
void xenc_refuse_shared(enc *e, const frame *up);
slot *xenc_seen_find(enc *e, const void *key);
void xenc_seen_add(enc *e, const void *key, uint32_t a, uint32_t b);
void xenc_enter(enc *e);                 /* one level deeper: stack room */
int xenc_back_ref(enc *e, int idx);      /* writes BACK if idx was encoded already */

/* ---- xencode_code.c ---- */
int xenc_is_shared(enc *e, int idx);     /* a module table every process shares */
int xenc_is_env(enc *e, int idx);        /* a process's globals table */
void xenc_module(enc *e, int idx, const frame *up);      /* a shared table, by name */
void xenc_function(enc *e, int idx, const frame *up);    /* spawn mode */

#endif
