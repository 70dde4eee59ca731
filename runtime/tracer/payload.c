/*
** Size-capped copies of event payloads (messages, exit reasons, child ids).
** One walk copies and estimates at once: each value adds its estimated size
** (a table its header, a string its bytes) to a running total. Past the cap
** the walk stops copying and goes on counting only, up to a bounded amount,
** so that the {"truncated", bytes_estimate} that replaces the payload says
** roughly how big it was; counting stops for good at COUNT_FACTOR times the
** cap, so neither the copy nor the walk is ever unbounded.
*/
#include <lauxlib.h>
#include "tracer/session.h"
#include "core/term.h"

#define TABLE_BYTES 56     /* a table header */
#define SLOT_BYTES 16      /* a number, boolean, pid, ref or table slot */
#define STRING_BYTES 24    /* a string header, plus its length */
#define MAX_DEPTH 100      /* deeper than this counts as too big */
#define COUNT_FACTOR 64    /* counting goes on to 64 x cap (at least 64 KB) */

typedef struct walker {
  lua_State *L;
  size_t used, cap, count_limit;
  int copying;             /* still building the copy */
  int stop;                /* counted enough: the walk returns at once */
  int seen;                /* stack slot: source table -> its copy (or true) */
  int has_seen;            /* made when a second table turns up */
  int anc_src[MAX_DEPTH + 1], anc_dst[MAX_DEPTH + 1];  /* the tables walked into */
} walker;

/* Makes the seen table, recording the tables being walked on the way down
** (a payload with one flat table never needs it). */
static void need_seen(walker *w, int depth) {
  lua_State *L = w->L;
  if (w->has_seen) return;
  w->has_seen = 1;
  lua_newtable(L);
  lua_replace(L, w->seen);
  for (int d = 0; d < depth; d++) {
    lua_pushvalue(L, w->anc_src[d]);
    if (w->anc_dst[d]) lua_pushvalue(L, w->anc_dst[d]);
    else lua_pushboolean(L, 1);
    lua_rawset(L, w->seen);
  }
}

static void add(walker *w, size_t bytes) {
  w->used += bytes;
  if (w->copying && w->used > w->cap) w->copying = 0;
  if (!w->copying && w->used > w->count_limit) w->stop = 1;
}

/* Walks the value at (absolute) idx; while copying, pushes its copy. */
static void walk(walker *w, int idx, int depth) {
  lua_State *L = w->L;
  int t = lua_type(L, idx);
  if (t != LUA_TTABLE) {
    size_t len = 0;
    if (t == LUA_TSTRING) {
      lua_tolstring(L, idx, &len);
      add(w, STRING_BYTES + len);
    } else {
      add(w, SLOT_BYTES);
    }
    if (!w->copying) return;
    switch (t) {
      case LUA_TNIL: case LUA_TBOOLEAN: case LUA_TNUMBER: case LUA_TSTRING:
        lua_pushvalue(L, idx);
        break;
      case LUA_TUSERDATA:
        if (otp_is_term_udata(L, idx)) lua_pushvalue(L, idx);
        else lua_pushliteral(L, "<userdata>");
        break;
      default:
        lua_pushfstring(L, "<%s>", lua_typename(L, t));
    }
    return;
  }
  if (depth > 0) need_seen(w, depth);
  if (w->has_seen) {
    lua_pushvalue(L, idx);
    if (lua_rawget(L, w->seen) != LUA_TNIL) {   /* shared or cyclic */
      add(w, SLOT_BYTES);
      if (!w->copying) lua_pop(L, 1);
      return;
    }
    lua_pop(L, 1);
  }
  add(w, TABLE_BYTES);
  if (depth >= MAX_DEPTH && w->copying) {
    w->copying = 0;
    w->used = w->used > w->cap ? w->used : w->cap + 1;
  }
  if (w->stop || depth >= MAX_DEPTH || !lua_checkstack(L, 8)) return;
  int dst = 0;
  if (w->copying) {
    lua_createtable(L, (int)lua_rawlen(L, idx), 0);
    dst = lua_gettop(L);
  }
  w->anc_src[depth] = idx;
  w->anc_dst[depth] = dst;
  if (w->has_seen) {
    lua_pushvalue(L, idx);
    if (dst) lua_pushvalue(L, dst);
    else lua_pushboolean(L, 1);
    lua_rawset(L, w->seen);
  }
  lua_pushnil(L);
  while (!w->stop && lua_next(L, idx)) {
    int key = lua_gettop(L) - 1;
    add(w, SLOT_BYTES);
    walk(w, key, depth + 1);
    walk(w, key + 1, depth + 1);
    if (w->copying) lua_rawset(L, dst);   /* the key's and value's copies */
    lua_settop(L, key);
  }
  /* if copying was switched off below, the caller drops the partial copy */
}

/* The size walk counts for a key or value that is not a table; 0 for what
** the walk would not copy as it is (a table, a function, a coroutine, other
** userdata). */
static size_t flat_size(lua_State *L, int idx) {
  size_t len;
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: lua_tolstring(L, idx, &len); return STRING_BYTES + len;
    case LUA_TNUMBER: case LUA_TBOOLEAN: return SLOT_BYTES;
    case LUA_TUSERDATA: return otp_is_term_udata(L, idx) ? SLOT_BYTES : 0;
    default: return 0;
  }
}

/* The common payload, a table of scalars within the cap, copied in one loop
** that counts as the walk does. Returns 1 with the copy pushed, or 0 with
** nothing pushed (the walk then does it all). */
static int copy_flat(lua_State *L, int idx, size_t cap) {
  int top = lua_gettop(L);
  size_t used = TABLE_BYTES;
  lua_createtable(L, (int)lua_rawlen(L, idx), 0);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    size_t k = flat_size(L, -2), v = flat_size(L, -1);
    used += SLOT_BYTES + k + v;
    if (!k || !v || used > cap) {
      lua_settop(L, top);
      return 0;
    }
    lua_pushvalue(L, -2);          /* key, key, value: set, keep the key */
    lua_insert(L, -2);
    lua_rawset(L, top + 1);
  }
  return 1;
}

int otp_trace_copy_capped(lua_State *L, int idx, size_t cap) {
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 16, "copying a trace payload");
  if (lua_type(L, idx) == LUA_TTABLE && copy_flat(L, idx, cap)) return 0;
  int base = lua_gettop(L);
  lua_pushnil(L);
  walker w = {.L = L, .cap = cap, .count_limit = cap * COUNT_FACTOR, .copying = 1,
              .seen = base + 1};
  if (w.count_limit < 65536) w.count_limit = 65536;
  walk(&w, idx, 0);
  if (w.copying) {
    lua_replace(L, base + 1);    /* the copy takes the seen table's slot */
    lua_settop(L, base + 1);
    return 0;
  }
  lua_settop(L, base);
  lua_createtable(L, 2, 0);
  lua_pushliteral(L, "truncated");
  lua_rawseti(L, -2, 1);
  lua_pushinteger(L, (lua_Integer)w.used);
  lua_rawseti(L, -2, 2);
  return 1;
}
