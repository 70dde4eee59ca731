/*
** The cross-state decoder (xwire.h describes the bytes).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/xcopy.h"
#include "core/xwire.h"
#include "core/ekind.h"
#include "core/node.h"
#include "core/term.h"

/*
** {======================================================
** Decoder
** =======================================================
*/

/*
** Every read is checked against the end of the buffer and every reference
** against what was already decoded: bytes that are not a whole, valid
** encoding (truncated, corrupt, or made up by a peer) raise "xcopy: corrupt
** buffer (...)" in the protected decode, never read outside the buffer.
*/
typedef struct dec {
  lua_State *L;
  const unsigned char *start, *p, *end;
  int env;             /* stack slot of the globals for _ENV and require */
  int seen;            /* stack slot of number -> value, 0 if not recorded */
  lua_Integer nobj;
  int depth;
  int message_only;    /* bytes from outside: no code, modules or metatables */
  int terms;           /* stack slot of the array PID and REF index (F_TERMS), 0 if none */
} dec;

static void dec_value(dec *d);
static void push_indexed_term(dec *d, int ref);

_Noreturn static void corrupt(dec *d, const char *what) {
  luaL_error(d->L, "xcopy: corrupt buffer (%s at byte %d)", what, (int)(d->p - d->start));
  abort();   /* not reached: luaL_error does not return */
}

static size_t left(const dec *d) {
  return (size_t)(d->end - d->p);
}

static void need(dec *d, size_t n) {
  if (left(d) < n) corrupt(d, "truncated");
}

static unsigned char get_byte(dec *d) {
  need(d, 1);
  return *d->p++;
}

static unsigned char peek_byte(dec *d) {
  need(d, 1);
  return *d->p;
}

static uint64_t get_varint(dec *d) {
  uint64_t v = 0;
  int shift = 0;
  unsigned char c;
  do {
    if (shift > 63) corrupt(d, "varint too long");
    c = get_byte(d);
    v |= (uint64_t)(c & 0x7f) << shift;
    shift += 7;
  } while (c & 0x80);
  return v;
}

/* A count of things that each take at least one more byte. */
static uint64_t get_count(dec *d) {
  uint64_t n = get_varint(d);
  if (n > left(d) || n > INT32_MAX) corrupt(d, "count beyond the end");
  return n;
}

static const char *get_string(dec *d, size_t *n) {
  uint64_t len = get_varint(d);
  if (len > left(d)) corrupt(d, "string beyond the end");
  *n = (size_t)len;
  const char *s = (const char *)d->p;
  d->p += *n;
  return s;
}

static void record(dec *d) {
  d->nobj++;
  if (d->seen) {
    lua_pushvalue(d->L, -1);
    lua_rawseti(d->L, d->seen, d->nobj);
  }
}

/* Pushes table or function number k, decoded before. */
static void get_seen(dec *d, uint64_t k) {
  if (!d->seen || k < 1 || k > (uint64_t)d->nobj) corrupt(d, "reference to nothing decoded");
  lua_rawgeti(d->L, d->seen, (lua_Integer)k);
}

static void nest(dec *d) {
  if (++d->depth > MAX_DEPTH) corrupt(d, "nested too deeply");
  if ((d->depth & 7) == 0) luaL_checkstack(d->L, 64, "decoding a deeply nested value");
}

static void dec_table(dec *d, int with_mt) {
  lua_State *L = d->L;
  uint64_t narr = get_count(d), nhash = get_varint(d);
  nest(d);
  /* every entry takes a byte at least: preallocate no more than can follow */
  lua_createtable(L, (int)narr, nhash > left(d) ? 0 : (int)nhash);
  int t = lua_gettop(L);
  record(d);
  for (uint64_t i = 1; i <= narr; i++) {
    unsigned char c = peek_byte(d);
    if (c == T_NIL) {
      d->p++;
      continue;
    }
    if (c >= T_SMALLINT && c < T_SSTR) {   /* the common case, inline */
      d->p++;
      lua_pushinteger(L, c - T_SMALLINT);
    } else dec_value(d);
    lua_rawseti(L, t, (lua_Integer)i);
  }
  while (peek_byte(d) != T_END) {
    dec_value(d);
    lua_Number k = lua_tonumber(L, -1);
    if (lua_isnil(L, -1) || k != k) corrupt(d, "nil or NaN table key");
    dec_value(d);
    lua_rawset(L, t);
  }
  d->p++;
  if (with_mt) {
    dec_value(d);
    if (!lua_istable(L, -1) && !lua_isnil(L, -1)) corrupt(d, "metatable not a table");
    otp_setmetatable_inert(L, t);
  }
  d->depth--;
}

typedef struct chunk { const char *s; size_t n; } chunk;

static const char *chunk_reader(lua_State *L, void *ud, size_t *size) {
  chunk *c = ud;
  *size = c->n;
  c->n = 0;
  return c->s;
}

/* Does the Lua function at idx have an upvalue n? */
static int has_upvalue(lua_State *L, int idx, int n) {
  if (lua_type(L, idx) != LUA_TFUNCTION || lua_iscfunction(L, idx)) return 0;
  if (lua_getupvalue(L, idx, n) == NULL) return 0;
  lua_pop(L, 1);
  return 1;
}

static void dec_function(dec *d) {
  lua_State *L = d->L;
  chunk c;
  c.s = get_string(d, &c.n);
  nest(d);
  if (lua_load(L, chunk_reader, &c, "=(otp.xcopy)", "b") != LUA_OK) lua_error(L);
  int f = lua_gettop(L);
  record(d);
  int nups = get_byte(d);
  for (int i = 1; i <= nups; i++) {
    if (peek_byte(d) == T_JOIN) {
      d->p++;
      uint64_t other = get_varint(d), n = get_varint(d);
      get_seen(d, other);
      if (n < 1 || n > 255 || !has_upvalue(L, -1, (int)n) || !has_upvalue(L, f, i))
        corrupt(d, "shared upvalue that does not exist");
      lua_upvaluejoin(L, f, i, -1, (int)n);
      lua_pop(L, 1);
    } else {
      dec_value(d);
      if (lua_setupvalue(L, f, i) == NULL) lua_pop(L, 1);
    }
  }
  d->depth--;
}

static void dec_cfunction(dec *d) {
  lua_State *L = d->L;
  void *p;
  need(d, sizeof p);
  memcpy(&p, d->p, sizeof p);
  d->p += sizeof p;
  size_t n;
  const char *name = get_string(d, &n);
  otp_xcopy_push_cfuncs(L);
  int ok = lua_rawgetp(L, -1, p) != LUA_TNIL;
  lua_pop(L, 2);
  if (!ok) {
    if (n) lua_pushfstring(L, "badarg: the C function %s is not available in the "
                           "destination (a sandbox has a restricted library)",
                           lua_pushlstring(L, name, n));
    else lua_pushliteral(L, "badarg: a C function is not available in the "
                         "destination (a sandbox has a restricted library)");
    lua_error(L);
  }
  lua_CFunction f;
  memcpy(&f, &p, sizeof f);
  lua_pushcfunction(L, f);
}

/* Pushes require(name) of the destination (from env's globals). */
static void dec_require(dec *d, const char *name, size_t n) {
  lua_State *L = d->L;
  lua_getfield(L, d->env, "require");
  lua_pushlstring(L, name, n);
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
    const char *why = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "no table";
    lua_pushfstring(L, "badarg: the module '%s' is not available in the destination (%s)",
                    lua_pushlstring(L, name, n), why);
    lua_error(L);
  }
}

static void dec_value(dec *d) {
  lua_State *L = d->L;
  unsigned char c = get_byte(d);
  if (c >= T_SSTR) {
    size_t n = c - T_SSTR;
    need(d, n);
    lua_pushlstring(L, (const char *)d->p, n);
    d->p += n;
    return;
  }
  if (c >= T_SMALLINT) {
    lua_pushinteger(L, c - T_SMALLINT);
    return;
  }
  if (d->message_only && (c == T_TABLEMT || (c >= T_FUNC && c <= T_BASE))) {
    d->p--;
    corrupt(d, "code, a module or a metatable, which a message cannot hold");
  }
  switch (c) {
    case T_NIL: lua_pushnil(L); break;
    case T_FALSE: lua_pushboolean(L, 0); break;
    case T_TRUE: lua_pushboolean(L, 1); break;
    case T_INT: {
      uint64_t u = get_varint(d);
      lua_pushinteger(L, (lua_Integer)((u >> 1) ^ (~(u & 1) + 1)));
      break;
    }
    case T_FLT: {
      lua_Number x;
      need(d, sizeof x);
      memcpy(&x, d->p, sizeof x);
      d->p += sizeof x;
      lua_pushnumber(L, x);
      break;
    }
    case T_STR: {
      size_t n;
      const char *s = get_string(d, &n);
      lua_pushlstring(L, s, n);
      break;
    }
    case T_TABLE: dec_table(d, 0); break;
    case T_TABLEMT: dec_table(d, 1); break;
    case T_BACK: get_seen(d, get_varint(d)); break;
    case T_PID:
      if (d->terms) push_indexed_term(d, 0);
      else otp_push_pid(L, (otp_pid)get_varint(d));
      break;
    case T_REF: {
      if (d->terms) {
        push_indexed_term(d, 1);
        break;
      }
      uint64_t id = get_varint(d);
      otp_pid alias = (otp_pid)get_varint(d);
      otp_push_ref(L, id);
      if (alias != OTP_PID_NONE) otp_to_ref_ud(L, -1)->alias = alias;
      break;
    }
    case T_FUNC: dec_function(d); break;
    case T_CFUNC: dec_cfunction(d); break;
    case T_MOD: {
      size_t n;
      const char *name = get_string(d, &n);
      dec_require(d, name, n);
      break;
    }
    case T_MODFN: {
      size_t n, k;
      const char *name = get_string(d, &n);
      const char *key = get_string(d, &k);
      dec_require(d, name, n);
      lua_pushlstring(L, key, k);
      if (lua_gettable(L, -2) != LUA_TFUNCTION) {
        lua_pushlstring(L, name, n);
        lua_pushlstring(L, key, k);
        lua_pushfstring(L, "badarg: the function %s.%s is not available in the "
                        "destination", lua_tostring(L, -2), lua_tostring(L, -1));
        lua_error(L);
      }
      lua_remove(L, -2);
      break;
    }
    case T_EKIND: {
      int k = get_byte(d);
      size_t n;
      const char *s = get_string(d, &n);
      if (k != OTP_EK_BINARY && k != OTP_EK_CHARLIST &&
          !(k == OTP_EK_BIGINT && otp_ekind_bigint_ok(s, n)))
        corrupt(d, "a binary, charlist or bigint of no known form");
      otp_push_ekind(L, (otp_ekind)k, s, n);
      break;
    }
    case T_ENV: lua_pushvalue(L, d->env); break;
    case T_BASE: lua_pushglobaltable(L); break;
    default: d->p--; corrupt(d, "unknown tag");
  }
}

/* A pid (ref: a ref) by its index in the terms array. */
static void push_indexed_term(dec *d, int ref) {
  lua_State *L = d->L;
  uint64_t k = get_varint(d);
  if (ref && get_varint(d) != 0) corrupt(d, "an alias from another node");
  if (k == 0 || k > (uint64_t)lua_rawlen(L, d->terms)) corrupt(d, "a term index out of range");
  lua_rawgeti(L, d->terms, (lua_Integer)k);
  if (ref ? !otp_to_ref(L, -1) : !otp_to_pid(L, -1))
    corrupt(d, ref ? "a term index that is not a ref" : "a term index that is not a pid");
}

/* Protected body of otp_xdecode: (dec light userdata, env); returns the values. */
static int dec_run(lua_State *L) {
  dec *d = lua_touserdata(L, 1);
  d->L = L;
  d->env = 2;
  if (lua_isnil(L, 2)) {
    lua_pushglobaltable(L);
    lua_replace(L, 2);
  }
  int flags = get_byte(d);
  if ((flags & F_TERMS) && !lua_istable(L, 3)) corrupt(d, "pids by index without their array");
  d->terms = flags & F_TERMS ? 3 : 0;
  int n = (int)get_count(d);   /* each value takes a byte at least */
  luaL_checkstack(L, n + 72, "decoding values");
  if (flags & F_REFS) {
    lua_newtable(L);
    d->seen = lua_gettop(L);
  }
  int base = lua_gettop(L);
  for (int i = 0; i < n; i++) dec_value(d);
  if (left(d)) corrupt(d, "bytes after the last value");
  return lua_gettop(L) - base;
}

static int decode(lua_State *L, const otp_xbuf *b, int env, int terms, int message_only) {
  dec d = {.start = b->data, .p = b->data, .end = b->data + b->len,
           .message_only = message_only};
  if (env) env = lua_absindex(L, env);
  if (terms) terms = lua_absindex(L, terms);
  if (!lua_checkstack(L, 4)) return LUA_ERRMEM;
  lua_pushcfunction(L, dec_run);
  lua_pushlightuserdata(L, &d);
  if (env) lua_pushvalue(L, env);
  else lua_pushnil(L);
  if (terms) lua_pushvalue(L, terms);
  else lua_pushnil(L);
  return lua_pcall(L, 3, LUA_MULTRET, 0);
}

int otp_xdecode(lua_State *L, const otp_xbuf *b, int env) {
  return decode(L, b, env, 0, 0);
}

int otp_xdecode_with(lua_State *L, const otp_xbuf *b, int env, int terms) {
  return decode(L, b, env, terms, 0);
}

int otp_xdecode_message(lua_State *L, const otp_xbuf *b) {
  return decode(L, b, 0, 0, 1);
}
