/*
** otp.net.json_encode(value, array_mt) -> JSON text: what every REST
** answer and event frame is made of, in C because it is most of a request's
** work.  The mapping (lua/otp/api/json.lua, and the OpenAPI document):
** a sequence is an array, a table with other keys an object (keys as
** strings, sorted bytewise), an empty table {} unless its metatable is
** array_mt (json.array); pids, refs, functions and other values JSON has no
** word for become their tostring text; NaN and infinities become strings;
** in a string that is not valid UTF-8 each byte from 0x80 up is written as
** the text \xNN; a table inside itself is "<cycle>" and nesting deeper than
** 32 is "<deep>".  Tables are read raw (no metamethods).  It never fails
** except for lack of memory.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "net/conn.h"

#define JSON_MAX_DEPTH 32

typedef struct jbuf {
  lua_State *L;
  int box;                  /* stack index of the userdata holding the text */
  char *p;
  size_t len, cap;
  int array_mt;             /* stack index of json.array's metatable */
  const void *path[JSON_MAX_DEPTH + 2];   /* the tables being written, outermost first */
  int depth;
} jbuf;

static void grow(jbuf *b, size_t more) {
  if (b->len + more <= b->cap) return;
  size_t cap = b->cap * 2;
  while (cap < b->len + more) cap *= 2;
  /* the text lives in a userdata, so an error (out of memory) leaks nothing */
  char *p = lua_newuserdatauv(b->L, cap, 0);
  memcpy(p, b->p, b->len);
  lua_replace(b->L, b->box);
  b->p = p;
  b->cap = cap;
}

static void put(jbuf *b, const char *s, size_t n) {
  grow(b, n);
  memcpy(b->p + b->len, s, n);
  b->len += n;
}
#define put_lit(b, s) put(b, s, sizeof(s) - 1)
static void put_char(jbuf *b, char c) {
  grow(b, 1);
  b->p[b->len++] = c;
}

/* Length of the UTF-8 sequence at s (at most n bytes), 0 if invalid: as
** Lua's utf8.len, no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  size_t len;
  unsigned cp, min;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) len = 2, cp = c & 0x1F, min = 0x80;
  else if (c >= 0xE0 && c <= 0xEF) len = 3, cp = c & 0x0F, min = 0x800;
  else if (c >= 0xF0 && c <= 0xF4) len = 4, cp = c & 0x07, min = 0x10000;
  else return 0;
  if (len > n) return 0;
  for (size_t i = 1; i < len; i++) {
    if ((s[i] & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

static int valid_utf8(const unsigned char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    size_t k = utf8_seq(s + i, n - i);
    if (!k) return 0;
    i += k;
  }
  return 1;
}

static void put_string(jbuf *b, const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  int clean = valid_utf8(s, n);
  grow(b, n + 2);
  b->p[b->len++] = '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = s[i];
    char esc[8];
    if (c == '"' || c == '\\') {
      put_char(b, '\\');
      put_char(b, (char)c);
    } else if (c < 0x20 || c == 0x7F) {
      const char *named = c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : NULL;
      if (named) put(b, named, 2);
      else put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\u%04x", c));
    } else if (c >= 0x80 && !clean) {
      put(b, esc, (size_t)snprintf(esc, sizeof esc, "\\\\x%02X", c));
    } else {
      put_char(b, (char)c);
    }
  }
  put_char(b, '"');
}

/* The value at idx as text (tostring, __tostring/__name included), quoted. */
static void put_text_of(jbuf *b, int idx) {
  size_t n;
  const char *s = luaL_tolstring(b->L, idx, &n);
  put_string(b, s, n);
  lua_pop(b->L, 1);
}

static void put_number(jbuf *b, int idx) {
  lua_State *L = b->L;
  char num[64];
  if (lua_isinteger(L, idx)) {
    put(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)lua_tointeger(L, idx)));
    return;
  }
  double d = lua_tonumber(L, idx);
  if (!isfinite(d)) put_text_of(b, idx);
  else put(b, num, (size_t)snprintf(num, sizeof num, "%.17g", d));
}

static void put_value(jbuf *b, int idx);

/* 1 if the table at idx has exactly the keys 1..#t (and #t > 0). */
static int is_sequence(lua_State *L, int idx) {
  lua_Unsigned n = lua_rawlen(L, idx);
  if (n == 0) return 0;
  lua_Unsigned count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || (lua_Unsigned)lua_tointeger(L, -1) > n) {
      lua_pop(L, 1);
      return 0;
    }
    count++;
  }
  return count == n;
}

typedef struct { const char *s; size_t n; int at; } jkey;

static int by_bytes(const void *a, const void *b) {
  const jkey *x = a, *y = b;
  int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
  return c ? c : (x->n > y->n) - (x->n < y->n);
}

static void put_object(jbuf *b, int idx) {
  lua_State *L = b->L;
  /* pairs as {text1, value1, text2, value2, ...}, so the texts stay alive */
  lua_newtable(L);
  int pairs = lua_gettop(L);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) == LUA_TSTRING) lua_pushvalue(L, -2);
    else luaL_tolstring(L, -2, NULL);
    lua_rawseti(L, pairs, 2 * n + 1);
    lua_rawseti(L, pairs, 2 * n + 2);
    n++;
  }
  jkey *keys = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *keys, 0);
  for (int i = 0; i < n; i++) {
    lua_rawgeti(L, pairs, 2 * i + 1);
    keys[i].s = lua_tolstring(L, -1, &keys[i].n);
    keys[i].at = 2 * i + 2;
    lua_pop(L, 1);
  }
  qsort(keys, (size_t)n, sizeof *keys, by_bytes);
  put_char(b, '{');
  for (int i = 0; i < n; i++) {
    if (i) put_char(b, ',');
    put_string(b, keys[i].s, keys[i].n);
    put_char(b, ':');
    lua_rawgeti(L, pairs, keys[i].at);
    put_value(b, lua_gettop(L));
    lua_pop(L, 1);
  }
  put_char(b, '}');
  lua_pop(L, 2);
}

static void put_table(jbuf *b, int idx) {
  lua_State *L = b->L;
  const void *t = lua_topointer(L, idx);
  for (int i = 0; i < b->depth; i++)
    if (b->path[i] == t) {
      put_lit(b, "\"<cycle>\"");
      return;
    }
  if (b->depth > JSON_MAX_DEPTH) {
    put_lit(b, "\"<deep>\"");
    return;
  }
  luaL_checkstack(L, 8, "json: nesting");
  b->path[b->depth++] = t;
  int marked = 0;
  if (lua_getmetatable(L, idx)) {
    marked = lua_rawequal(L, -1, b->array_mt);
    lua_pop(L, 1);
  }
  if (marked || is_sequence(L, idx)) {
    lua_Unsigned n = lua_rawlen(L, idx);
    put_char(b, '[');
    for (lua_Unsigned i = 1; i <= n; i++) {
      if (i > 1) put_char(b, ',');
      lua_rawgeti(L, idx, (lua_Integer)i);
      put_value(b, lua_gettop(L));
      lua_pop(L, 1);
    }
    put_char(b, ']');
  } else {
    put_object(b, idx);
  }
  b->depth--;
}

static void put_value(jbuf *b, int idx) {
  lua_State *L = b->L;
  switch (lua_type(L, idx)) {
  case LUA_TSTRING: {
    size_t n;
    const char *s = lua_tolstring(L, idx, &n);
    put_string(b, s, n);
    break;
  }
  case LUA_TNUMBER:
    put_number(b, idx);
    break;
  case LUA_TBOOLEAN:
    if (lua_toboolean(L, idx)) put_lit(b, "true");
    else put_lit(b, "false");
    break;
  case LUA_TNIL:
  case LUA_TNONE:
    put_lit(b, "null");
    break;
  case LUA_TLIGHTUSERDATA:   /* cjson.null is a NULL light userdata */
    if (!lua_touserdata(L, idx)) put_lit(b, "null");
    else put_text_of(b, idx);
    break;
  case LUA_TTABLE:
    put_table(b, idx);
    break;
  default:
    put_text_of(b, idx);
    break;
  }
}

int otp_net_l_json_encode(lua_State *L) {
  lua_settop(L, 2);
  jbuf b = {.L = L, .cap = 256, .array_mt = 2};
  b.p = lua_newuserdatauv(L, b.cap, 0);
  b.box = lua_gettop(L);
  put_value(&b, 1);
  lua_pushlstring(L, b.p, b.len);
  return 1;
}
