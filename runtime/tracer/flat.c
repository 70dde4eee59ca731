/*
** Flat payloads: the common traced message, a short array of scalars such
** as {"token", 42}, kept as bytes inside its event record instead of as a
** Lua table copy. Recording it makes no Lua object (no table for the
** collector to trace and sweep, no store into the session's ring table);
** the table is built when the event is read, with the same contents the
** capped copy (payload.c) would have had. Anything else (a hash key, a
** nested table, a ref, whose identity a rebuilt value would not keep, a
** payload near the cap or longer than the record's room) takes the copy.
*/
#include <string.h>
#include <lauxlib.h>
#include "tracer/session.h"
#include "core/term.h"

/* the sizes payload.c counts towards the cap, for the same verdict */
#define TABLE_BYTES 56
#define SLOT_BYTES 16
#define STRING_BYTES 24

enum { F_INT = 'i', F_FLOAT = 'f', F_TRUE = 't', F_FALSE = 'F', F_STRING = 's', F_PID = 'p' };

static inline int put(otp_trace_rec *r, size_t *at, const void *bytes, size_t n) {
  if (*at + n > sizeof r->flat) return 0;
  if (n) memcpy(r->flat + *at, bytes, n);   /* a boolean is its tag alone */
  *at += n;
  return 1;
}

static inline int put_tagged(otp_trace_rec *r, size_t *at, unsigned char tag, const void *v, size_t n) {
  return put(r, at, &tag, 1) && put(r, at, v, n);
}

/* Appends the scalar on top of L (of type t); 0 if it is not one flat.c keeps. */
static int put_value(lua_State *L, int t, otp_trace_rec *r, size_t *at, size_t *used) {
  switch (t) {
    case LUA_TNUMBER: {
      *used += SLOT_BYTES;
      if (lua_isinteger(L, -1)) {
        lua_Integer i = lua_tointeger(L, -1);
        return put_tagged(r, at, F_INT, &i, sizeof i);
      }
      lua_Number d = lua_tonumber(L, -1);
      return put_tagged(r, at, F_FLOAT, &d, sizeof d);
    }
    case LUA_TBOOLEAN:
      *used += SLOT_BYTES;
      return put_tagged(r, at, lua_toboolean(L, -1) ? F_TRUE : F_FALSE, NULL, 0);
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      *used += STRING_BYTES + len;
      unsigned char n = (unsigned char)len;
      return len < 256 && put_tagged(r, at, F_STRING, &n, 1) && put(r, at, s, len);
    }
    case LUA_TUSERDATA: {
      otp_pid pid = otp_to_pid(L, -1);
      *used += SLOT_BYTES;
      return pid && put_tagged(r, at, F_PID, &pid, sizeof pid);
    }
    default:
      return 0;
  }
}

size_t otp_trace_flat_capture(lua_State *L, int idx, size_t cap, otp_trace_rec *r) {
  if (lua_type(L, idx) != LUA_TTABLE) return 0;
  idx = lua_absindex(L, idx);
  /* a few slots only: a process's stack grown here would stay big (the
  ** collector clears and shrinks every coroutine's spare stack) */
  if (!lua_checkstack(L, 3)) return 0;
  size_t at = 0, used = TABLE_BYTES;
  lua_Integer n = 0;
  int t;
  while (n < 255 && (t = lua_rawgeti(L, idx, n + 1)) != LUA_TNIL) {
    n++;
    used += SLOT_BYTES + SLOT_BYTES;     /* the slot and its integer key */
    int ok = put_value(L, t, r, &at, &used);
    lua_pop(L, 1);
    if (!ok || used > cap) return 0;
  }
  lua_pop(L, 1);                         /* the nil */
  if (n == 0) return 0;
  lua_pushinteger(L, n);                 /* nothing after the array part */
  if (lua_next(L, idx)) {
    lua_pop(L, 2);
    return 0;
  }
  r->flat_n = (uint8_t)n;
  return used;
}

/* The next n bytes of r's message, copied to dst. */
static void take(const otp_trace_rec *r, size_t *at, void *dst, size_t n) {
  memcpy(dst, r->flat + *at, n);
  *at += n;
}

void otp_trace_flat_push(lua_State *L, const otp_trace_rec *r) {
  luaL_checkstack(L, 3, "building a trace event");
  lua_createtable(L, r->flat_n, 0);
  size_t at = 0;
  for (int i = 1; i <= r->flat_n; i++) {
    unsigned char tag = r->flat[at++];
    if (tag == F_INT) {
      lua_Integer v;
      take(r, &at, &v, sizeof v);
      lua_pushinteger(L, v);
    } else if (tag == F_FLOAT) {
      lua_Number v;
      take(r, &at, &v, sizeof v);
      lua_pushnumber(L, v);
    } else if (tag == F_TRUE || tag == F_FALSE) {
      lua_pushboolean(L, tag == F_TRUE);
    } else if (tag == F_STRING) {
      size_t len = r->flat[at++];
      lua_pushlstring(L, (const char *)r->flat + at, len);
      at += len;
    } else {   /* F_PID */
      otp_pid pid;
      take(r, &at, &pid, sizeof pid);
      otp_push_pid(L, pid);
    }
    lua_rawseti(L, -2, i);
  }
}
