/*
** The cross-state encoder (xwire.h describes the bytes): walks a value
** list, numbering tables and functions for back-references; functions,
** modules and C functions cross in xencode_code.c, over the state and
** primitives of xenc.h.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/xenc.h"
#include "core/ekind.h"
#include "core/node.h"
#include "core/term.h"

/* The node-level tables this module reads, in one place. */
static void push_shared_set(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->shared_ref);
}
static void push_env_mt(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->env_mt_ref);
}

static uint32_t hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 29;
  x *= 0x9e3779b97f4a7c15ull;
  return (uint32_t)(x >> 32);
}

slot *xenc_seen_find(enc *e, const void *key) {
  for (uint32_t i = hash_ptr(key) & e->mask;; i = (i + 1) & e->mask) {
    if (e->slots[i].key == key) return &e->slots[i];
    if (e->slots[i].key == NULL) return NULL;
  }
}

void xenc_seen_add(enc *e, const void *key, uint32_t a, uint32_t b) {
  if ((e->count + 1) * 2 > e->mask + 1) {   /* keep it at most half full */
    uint32_t cap = (e->mask + 1) * 2;
    slot *s = calloc(cap, sizeof *s);
    if (s == NULL) oom(e);
    slot *old = e->slots;
    uint32_t oldcap = e->mask + 1;
    e->slots = s;
    e->mask = cap - 1;
    for (uint32_t i = 0; i < oldcap; i++)
      if (old[i].key) {
        uint32_t j = hash_ptr(old[i].key) & e->mask;
        while (s[j].key) j = (j + 1) & e->mask;
        s[j] = old[i];
      }
    if (old != e->inline_slots) free(old);
  }
  uint32_t i = hash_ptr(key) & e->mask;
  while (e->slots[i].key) i = (i + 1) & e->mask;
  e->slots[i] = (slot){key, a, b};
  e->count++;
}

/* Pushes one step of a path: ".name", "[3]" or " (upvalue 'x')". */
static void push_step(lua_State *L, const frame *f) {
  if (f->upvalue) lua_pushfstring(L, " (upvalue '%s')", f->upvalue);
  else if (f->key && lua_type(L, f->key) == LUA_TSTRING)
    lua_pushfstring(L, ".%s", lua_tostring(L, f->key));
  else if (f->key && lua_isinteger(L, f->key))
    lua_pushfstring(L, "[%I]", lua_tointeger(L, f->key));
  else if (f->key) lua_pushfstring(L, "[<%s key>]", luaL_typename(L, f->key));
  else if (f->index) lua_pushfstring(L, "[%I]", f->index);
  else lua_pushliteral(L, "");
}

#define PATH_HEAD 4
#define PATH_TAIL 6

/* Pushes the path of the value being encoded ("msg.items[3]"); a deep one
** keeps its first and last steps. */
static void push_path(enc *e, const frame *f) {
  lua_State *L = e->L;
  int depth = 0;
  for (const frame *g = f; g; g = g->up) depth++;
  luaL_checkstack(L, PATH_HEAD + PATH_TAIL + 4, "building an error message");
  int base = lua_gettop(L);
  if (e->root_index >= 0) lua_pushfstring(L, "argument %d", e->root_index);
  else lua_pushstring(L, e->root);
  int i = depth;
  for (const frame *g = f; g; g = g->up, i--) {
    if (i > PATH_HEAD && i <= depth - PATH_TAIL) {
      if (i == PATH_HEAD + 1) lua_pushliteral(L, "...");
      continue;
    }
    push_step(L, g);
  }
  for (int a = base + 2, b = lua_gettop(L); a < b; a++, b--) {   /* deepest first */
    lua_pushvalue(L, a);
    lua_pushvalue(L, b);
    lua_replace(L, a);
    lua_replace(L, b);
  }
  lua_concat(L, lua_gettop(L) - base);
}

/* A value that cannot cross: in lenient mode its name, else badarg. The
** message gets "(at file:line)" when otp_xencode re-raises it. */
void xenc_refuse(enc *e, const frame *up, const char *what) {
  lua_State *L = e->L;
  if (e->mode == OTP_COPY_LENIENT) {
    lua_pushfstring(L, "<%s>", what);
    size_t n;
    const char *s = lua_tolstring(L, -1, &n);
    put_byte(e, T_STR);
    put_string(e, s, n);
    lua_pop(L, 1);
    return;
  }
  push_path(e, up);
  lua_pushfstring(L, "badarg: %s cannot be sent between processes (at %s); only nil, "
                  "booleans, numbers, strings, plain tables, pids and refs can",
                  what, lua_tostring(L, -1));
  lua_error(L);
}

void xenc_refuse_shared(enc *e, const frame *up) {
  lua_State *L = e->L;
  if (e->mode == OTP_COPY_LENIENT) {
    xenc_refuse(e, up, "a shared table");
    return;
  }
  push_path(e, up);
  lua_pushfstring(L, "badarg: the table at %s is shared by every process but is not "
                  "a module loaded by name; pass the values it holds instead",
                  lua_tostring(L, -1));
  lua_error(L);
}

static void enc_scalar(enc *e, int idx) {
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
    case LUA_TNIL: put_byte(e, T_NIL); break;
    case LUA_TBOOLEAN: put_byte(e, lua_toboolean(L, idx) ? T_TRUE : T_FALSE); break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        lua_Integer i = lua_tointeger(L, idx);
        if (i >= 0 && i < 64) put_byte(e, T_SMALLINT + (int)i);
        else {
          uint64_t u = (uint64_t)i;
          put_byte(e, T_INT);
          put_varint(e, (u << 1) ^ (i < 0 ? ~(uint64_t)0 : 0));   /* zigzag */
        }
      } else {
        lua_Number d = lua_tonumber(L, idx);
        put_byte(e, T_FLT);
        put_bytes(e, &d, sizeof d);
      }
      break;
    default: {   /* string */
      size_t n;
      const char *s = lua_tolstring(L, idx, &n);
      if (n < 64) {
        reserve(e, n + 1);
        e->b->data[e->b->len++] = (unsigned char)(T_SSTR + n);
        memcpy(e->b->data + e->b->len, s, n);
        e->b->len += n;
      } else {
        put_byte(e, T_STR);
        put_string(e, s, n);
      }
    }
  }
}

void xenc_enter(enc *e) {
  if ((++e->depth & 7) == 0)   /* each level uses at most 8 slots */
    luaL_checkstack(e->L, 64, "encoding a deeply nested value");
}

int xenc_back_ref(enc *e, int idx) {
  slot *s = xenc_seen_find(e, lua_topointer(e->L, idx));
  if (s == NULL) return 0;
  put_byte(e, T_BACK);
  put_varint(e, s->a);
  e->refs = 1;
  return 1;
}

static void enc_table(enc *e, int idx, const frame *up) {
  lua_State *L = e->L;
  if (xenc_back_ref(e, idx)) return;
  int has_mt = lua_getmetatable(L, idx);
  if (has_mt) lua_pop(L, 1);
  int spawn = e->mode == OTP_COPY_SPAWN;
  if (has_mt || spawn) {
    if (lua_rawequal(L, idx, e->globals)) {
      put_byte(e, T_BASE);
      return;
    }
    if (xenc_is_shared(e, idx)) {
      xenc_module(e, idx, up);
      return;
    }
    if (has_mt && xenc_is_env(e, idx)) {
      if (spawn) put_byte(e, T_ENV);
      else xenc_refuse(e, up, "a process's globals table");
      return;
    }
    if (has_mt && !spawn) {
      xenc_refuse(e, up, "a table with a metatable");
      return;
    }
  }
  if (e->depth >= MAX_DEPTH) {
    xenc_refuse(e, up, "a value nested more than 10000 levels deep");
    return;
  }
  xenc_enter(e);
  xenc_seen_add(e, lua_topointer(L, idx), ++e->nobj, 0);
  lua_Integer narr = (lua_Integer)lua_rawlen(L, idx);
  put_byte(e, has_mt ? T_TABLEMT : T_TABLE);
  put_varint(e, (uint64_t)narr);
  size_t hpos = e->b->len;
  put_byte(e, 0);
  frame f = {up, 0, 0, NULL};
  for (lua_Integer i = 1; i <= narr; i++) {
    int t = lua_rawgeti(L, idx, i);
    f.index = i;
    if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TUSERDATA ||
        t == LUA_TTHREAD || t == LUA_TLIGHTUSERDATA)
      xenc_value(e, lua_gettop(L), &f);
    else enc_scalar(e, -1);
    lua_pop(L, 1);
  }
  f.index = 0;
  uint64_t nhash = 0;
  int top = lua_gettop(L);
  f.key = top + 1;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_isinteger(L, top + 1)) {
      lua_Integer k = lua_tointeger(L, top + 1);
      if (k >= 1 && k <= narr) {
        lua_pop(L, 1);
        continue;
      }
    }
    nhash++;
    f.key = 0;   /* a key's own path ends at the table */
    xenc_value(e, top + 1, &f);
    f.key = top + 1;
    xenc_value(e, top + 2, &f);
    lua_pop(L, 1);
  }
  put_byte(e, T_END);
  patch_varint(e, hpos, nhash);
  if (has_mt) {   /* spawn mode: the metatable goes along */
    lua_getmetatable(L, idx);
    f.key = 0;
    f.upvalue = "metatable";
    xenc_value(e, lua_gettop(L), &f);
    lua_pop(L, 1);
  }
  e->depth--;
}

/* For another node: the pid or ref at idx joins the terms array (which
** crosses as Erlang terms, translated), the buffer holds its index. */
static void put_term_index(enc *e, int idx, int tag) {
  lua_State *L = e->L;
  if (tag == T_REF) otp_intern_ref(L, idx);     /* it may come back: as this same value */
  lua_pushvalue(L, idx);
  lua_rawseti(L, e->terms, ++e->nterms);
  put_byte(e, tag);
  put_varint(e, (uint64_t)e->nterms);
  if (tag == T_REF) put_varint(e, 0);          /* an alias stays on its node */
}

void xenc_value(enc *e, int idx, const frame *up) {
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
    case LUA_TTABLE:
      enc_table(e, idx, up);
      break;
    case LUA_TFUNCTION:
      if (e->mode == OTP_COPY_SPAWN) xenc_function(e, idx, up);
      else xenc_refuse(e, up, "a function");
      break;
    case LUA_TUSERDATA: {
      otp_pid pid = otp_to_pid(L, idx);
      otp_ref_ud *r;
      const char *bytes;
      size_t len;
      otp_ekind ek;
      if (e->terms && (pid != OTP_PID_NONE || otp_to_ref_ud(L, idx))) {
        put_term_index(e, idx, pid ? T_PID : T_REF);
      } else if (pid != OTP_PID_NONE) {
        put_byte(e, T_PID);
        put_varint(e, pid);
      } else if ((r = otp_to_ref_ud(L, idx)) != NULL) {
        otp_intern_ref(L, idx);     /* so that it comes back as the same value */
        put_byte(e, T_REF);
        put_varint(e, r->id);
        put_varint(e, r->alias);
      } else if ((ek = otp_to_ekind(L, idx, &bytes, &len)) != OTP_EK_NONE) {
        put_byte(e, T_EKIND);
        put_byte(e, (int)ek);
        put_string(e, bytes, len);
      } else xenc_refuse(e, up, "a userdata");
      break;
    }
    case LUA_TTHREAD:
      xenc_refuse(e, up, "a coroutine");
      break;
    case LUA_TLIGHTUSERDATA:
      xenc_refuse(e, up, "a light userdata");
      break;
    default:
      enc_scalar(e, idx);
  }
}

/* Protected body of otp_xencode: (enc light userdata, terms|nil, values...). */
static int enc_run(lua_State *L) {
  enc *e = lua_touserdata(L, 1);
  int first = 3, n = lua_gettop(L) - 2;
  e->terms = lua_istable(L, 2) ? 2 : 0;   /* indices of this frame */
  luaL_checkstack(L, 72, "encoding values");
  push_shared_set(L);
  e->shared = lua_gettop(L);
  push_env_mt(L);
  e->env_mt = e->shared + 1;
  lua_pushglobaltable(L);
  e->globals = e->shared + 2;
  lua_pushnil(L);
  e->cfuncs = e->shared + 3;
  put_byte(e, 0);
  put_varint(e, (uint64_t)n);
  for (int i = 0; i < n; i++) {
    e->root_index = n > 1 ? i : -1;
    xenc_value(e, first + i, NULL);
  }
  e->b->data[0] = (unsigned char)((e->refs ? F_REFS : 0) | (e->terms ? F_TERMS : 0));
  return 0;
}

otp_xbuf *otp_xencode(lua_State *L, int first, int n, otp_copy_mode mode, const char *root) {
  return otp_xencode_with(L, first, n, mode, root, 0);
}

otp_xbuf *otp_xencode_with(lua_State *L, int first, int n, otp_copy_mode mode,
                           const char *root, int terms) {
  first = lua_absindex(L, first);
  if (terms) terms = lua_absindex(L, terms);
  enc e;
  memset(&e, 0, sizeof e);
  e.L = L;
  e.mode = mode;
  e.root = root;
  e.root_index = -1;
  e.slots = e.inline_slots;
  e.mask = INLINE_SLOTS - 1;
  e.b = malloc(sizeof *e.b + 256);
  if (e.b == NULL) luaL_error(L, "not enough memory");
  e.b->len = 0;
  e.b->cap = 256;
  if (!lua_checkstack(L, n + 3)) {
    free(e.b);
    luaL_error(L, "stack overflow (encoding %d values)", n);
  }
  lua_pushcfunction(L, enc_run);
  lua_pushlightuserdata(L, &e);
  if (terms) lua_pushvalue(L, terms);
  else lua_pushnil(L);
  for (int i = 0; i < n; i++) lua_pushvalue(L, first + i);
  int status = lua_pcall(L, n + 2, 0, 0);
  if (e.slots != e.inline_slots) free(e.slots);
  if (status != LUA_OK) {
    free(e.b);
    const char *msg = lua_tostring(L, -1);
    if (msg && strncmp(msg, "badarg:", 7) == 0) otp_raise(L, "%s", msg);
    lua_error(L);
  }
  return e.b;
}
