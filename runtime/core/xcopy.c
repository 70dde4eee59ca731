/*
** Copies between Lua states.  The encoding is a byte string:
**
**   buffer  = flags:byte  n:varint  value*n
**   value   = NIL | FALSE | TRUE | SMALLINT+i (0..63) | INT zigzag:varint
**           | FLT double:8 | SSTR+len (len < 64) bytes | STR len:varint bytes
**           | TABLE narr:varint nhash:varint value*narr (key value)* END
**           | TABLEMT ...as TABLE... metatable:value       (spawn mode)
**           | BACK index:varint         a table or function already encoded
**           | PID pid:varint | REF id:varint alias:varint
**           | FUNC len:varint dump nups:byte upvalue*nups    (spawn mode)
**           | CFUNC pointer:8 name:string                     (spawn mode)
**           | MOD name:string | MODFN name:string key:string
**           | ENV | BASE
**   upvalue = JOIN index:varint n:varint   (the cell of function index's n-th
**                                           upvalue, already encoded)
**           | value
**   string  = len:varint bytes
**
** Tables and functions are numbered in the order they start; BACK and JOIN
** refer to those numbers. flags says whether any BACK or JOIN was written:
** if not, the decoder does not record what it makes (a flat message costs
** no map). Varints are little-endian 7-bit groups, high bit = more.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/xcopy.h"
#include "core/node.h"
#include "core/term.h"

#define MAX_DEPTH 10000
#define INLINE_SLOTS 16   /* seen-hash slots before it needs malloc */

enum {
  T_END, T_NIL, T_FALSE, T_TRUE, T_INT, T_FLT, T_STR, T_TABLE, T_TABLEMT,
  T_BACK, T_PID, T_REF, T_FUNC, T_JOIN, T_CFUNC, T_MOD, T_MODFN, T_ENV, T_BASE,
  T_SMALLINT = 0x40,   /* 0x40..0x7f: integers 0..63 */
  T_SSTR = 0x80        /* 0x80..0xbf: strings of 0..63 bytes */
};

#define F_REFS 1       /* flags: BACK or JOIN present, the decoder records */

struct otp_xbuf {
  size_t len, cap;
  unsigned char data[];
};

/* registry key (its address): state's light C functions -> "lib.name" */
static const char cfuncs_key = 'c';

/* The node-level tables this module reads, in one place. */
static void push_shared_set(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->shared_ref);
}
static void push_env_mt(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->env_mt_ref);
}

static int is_light_cfunction(lua_State *L, int idx) {
  if (lua_tocfunction(L, idx) == NULL) return 0;
  if (lua_getupvalue(L, idx, 1) == NULL) return 1;
  lua_pop(L, 1);
  return 0;
}

static void *cfunc_key(lua_CFunction f) {
  void *p;
  _Static_assert(sizeof p == sizeof f, "function pointers fit a void *");
  memcpy(&p, &f, sizeof p);
  return p;
}

/* Records the light C functions of the table at lib (and, for a read-only
** proxy, of the table behind it) in names (at idx) as "prefix.key". */
static void add_lib(lua_State *L, int names, int lib, const char *prefix, int follow) {
  lib = lua_absindex(L, lib);
  lua_pushnil(L);
  while (lua_next(L, lib)) {
    if (lua_type(L, -2) == LUA_TSTRING && is_light_cfunction(L, -1)) {
      lua_pushlightuserdata(L, cfunc_key(lua_tocfunction(L, -1)));
      if (lua_rawget(L, names) == LUA_TNIL) {
        lua_pushlightuserdata(L, cfunc_key(lua_tocfunction(L, -2)));
        if (prefix) lua_pushfstring(L, "%s.%s", prefix, lua_tostring(L, -4));
        else lua_pushvalue(L, -4);
        lua_rawset(L, names);
      }
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  if (follow && lua_getmetatable(L, lib)) {
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) == LUA_TTABLE) add_lib(L, names, -1, prefix, 0);
    lua_pop(L, 2);
  }
}

/* Pushes L's table of reachable light C functions (pointer -> name): its
** global functions, then the functions of its global and loaded library
** tables, one level deep. Made once per state. */
static void push_cfuncs(lua_State *L) {
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &cfuncs_key) == LUA_TTABLE) return;
  lua_pop(L, 1);
  luaL_checkstack(L, 12, "listing C functions");
  lua_newtable(L);
  int names = lua_gettop(L);
  lua_pushglobaltable(L);
  int g = names + 1;
  add_lib(L, names, g, NULL, 0);
  lua_pushnil(L);
  while (lua_next(L, g)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && !lua_rawequal(L, -1, g))
      add_lib(L, names, -1, lua_tostring(L, -2), 1);
    lua_pop(L, 1);
  }
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  int loaded = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, loaded)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1) && !lua_rawequal(L, -1, g))
      add_lib(L, names, -1, lua_tostring(L, -2), 1);
    lua_pop(L, 1);
  }
  lua_settop(L, names);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &cfuncs_key);
}


/*
** {======================================================
** Encoder
** =======================================================
*/

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
  slot inline_slots[INLINE_SLOTS];
} enc;

static void enc_value(enc *e, int idx, const frame *up);

static void oom(enc *e) {
  luaL_error(e->L, "not enough memory");
}

static void reserve(enc *e, size_t k) {
  otp_xbuf *b = e->b;
  if (b->cap - b->len >= k) return;
  size_t cap = b->cap * 2;
  while (cap - b->len < k) cap *= 2;
  otp_xbuf *nb = realloc(b, sizeof *b + cap);
  if (nb == NULL) oom(e);
  nb->cap = cap;
  e->b = nb;
}

static void put_byte(enc *e, int c) {
  reserve(e, 1);
  e->b->data[e->b->len++] = (unsigned char)c;
}

static int varint_len(uint64_t v) {
  int k = 1;
  while (v >= 0x80) v >>= 7, k++;
  return k;
}

static void put_varint(enc *e, uint64_t v) {
  reserve(e, 10);
  unsigned char *p = e->b->data + e->b->len;
  while (v >= 0x80) {
    *p++ = (unsigned char)(v | 0x80);
    v >>= 7;
  }
  *p++ = (unsigned char)v;
  e->b->len = (size_t)(p - e->b->data);
}

static void put_bytes(enc *e, const void *s, size_t n) {
  reserve(e, n);
  memcpy(e->b->data + e->b->len, s, n);
  e->b->len += n;
}

static void put_string(enc *e, const char *s, size_t n) {
  put_varint(e, n);
  put_bytes(e, s, n);
}

/* A varint whose value is known only after what follows it was written:
** one byte is reserved at pos, and moved over when the value needs more. */
static void patch_varint(enc *e, size_t pos, uint64_t v) {
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

static uint32_t hash_ptr(const void *p) {
  uint64_t x = (uint64_t)(uintptr_t)p;
  x ^= x >> 29;
  x *= 0x9e3779b97f4a7c15ull;
  return (uint32_t)(x >> 32);
}

static slot *seen_find(enc *e, const void *key) {
  for (uint32_t i = hash_ptr(key) & e->mask;; i = (i + 1) & e->mask) {
    if (e->slots[i].key == key) return &e->slots[i];
    if (e->slots[i].key == NULL) return NULL;
  }
}

static void seen_add(enc *e, const void *key, uint32_t a, uint32_t b) {
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
static void refuse(enc *e, const frame *up, const char *what) {
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

static void refuse_shared(enc *e, const frame *up) {
  lua_State *L = e->L;
  if (e->mode == OTP_COPY_LENIENT) {
    refuse(e, up, "a shared table");
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

static int is_shared(enc *e, int idx) {
  lua_State *L = e->L;
  lua_pushvalue(L, idx);
  int yes = lua_rawget(L, e->shared) != LUA_TNIL;
  lua_pop(L, 1);
  return yes;
}

static int is_env(enc *e, int idx) {
  lua_State *L = e->L;
  if (!lua_getmetatable(L, idx)) return 0;
  int yes = lua_rawequal(L, -1, e->env_mt);
  lua_pop(L, 1);
  return yes;
}

/* Pushes the name under which the table at idx (or the table it is a
** read-only proxy of) is in package.loaded; returns 0 (nothing pushed) if
** none. A module's own globals table is not a module. */
static int module_name(enc *e, int idx) {
  lua_State *L = e->L;
  if (is_env(e, idx)) return 0;
  luaL_checkstack(L, 6, "naming a module");
  int top = lua_gettop(L), target = 0;
  if (lua_getmetatable(L, idx)) {
    lua_pushliteral(L, "__index");
    if (lua_rawget(L, -2) == LUA_TTABLE) target = lua_gettop(L);
  }
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  int loaded = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, loaded)) {
    if (lua_type(L, -2) == LUA_TSTRING &&
        (lua_rawequal(L, -1, idx) || (target && lua_rawequal(L, -1, target)))) {
      lua_pushvalue(L, -2);
      lua_replace(L, top + 1);
      lua_settop(L, top + 1);
      return 1;
    }
    lua_pop(L, 1);
  }
  lua_settop(L, top);
  return 0;
}

static void enc_module(enc *e, int idx, const frame *up) {
  if (!module_name(e, idx)) {
    refuse_shared(e, up);
    return;
  }
  size_t n;
  const char *s = lua_tolstring(e->L, -1, &n);
  put_byte(e, T_MOD);
  put_string(e, s, n);
  lua_pop(e->L, 1);
}

static void enter(enc *e) {
  if ((++e->depth & 7) == 0)   /* each level uses at most 8 slots */
    luaL_checkstack(e->L, 64, "encoding a deeply nested value");
}

static int back_ref(enc *e, int idx) {
  slot *s = seen_find(e, lua_topointer(e->L, idx));
  if (s == NULL) return 0;
  put_byte(e, T_BACK);
  put_varint(e, s->a);
  e->refs = 1;
  return 1;
}

static void enc_table(enc *e, int idx, const frame *up) {
  lua_State *L = e->L;
  if (back_ref(e, idx)) return;
  int has_mt = lua_getmetatable(L, idx);
  if (has_mt) lua_pop(L, 1);
  int spawn = e->mode == OTP_COPY_SPAWN;
  if (has_mt || spawn) {
    if (lua_rawequal(L, idx, e->globals)) {
      put_byte(e, T_BASE);
      return;
    }
    if (is_shared(e, idx)) {
      enc_module(e, idx, up);
      return;
    }
    if (has_mt && is_env(e, idx)) {
      if (spawn) put_byte(e, T_ENV);
      else refuse(e, up, "a process's globals table");
      return;
    }
    if (has_mt && !spawn) {
      refuse(e, up, "a table with a metatable");
      return;
    }
  }
  if (e->depth >= MAX_DEPTH) {
    refuse(e, up, "a value nested more than 10000 levels deep");
    return;
  }
  enter(e);
  seen_add(e, lua_topointer(L, idx), ++e->nobj, 0);
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
      enc_value(e, lua_gettop(L), &f);
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
    enc_value(e, top + 1, &f);
    f.key = top + 1;
    enc_value(e, top + 2, &f);
    lua_pop(L, 1);
  }
  put_byte(e, T_END);
  patch_varint(e, hpos, nhash);
  if (has_mt) {   /* spawn mode: the metatable goes along */
    lua_getmetatable(L, idx);
    f.key = 0;
    f.upvalue = "metatable";
    enc_value(e, lua_gettop(L), &f);
    lua_pop(L, 1);
  }
  e->depth--;
}

/* Pushes the name of the module whose field key (pushed too) is the function
** at idx; returns 0 (nothing pushed) if no loaded module exports it. */
static int module_member(enc *e, int idx) {
  lua_State *L = e->L;
  luaL_checkstack(L, 6, "naming a module function");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  int loaded = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, loaded)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)) {
      lua_pushnil(L);
      while (lua_next(L, -2)) {
        if (lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, -1, idx)) {
          lua_pop(L, 1);                 /* loaded name mod key */
          lua_remove(L, -2);
          lua_remove(L, loaded);
          return 1;
        }
        lua_pop(L, 1);
      }
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return 0;
}

static int dump_writer(lua_State *L, const void *p, size_t n, void *ud) {
  enc *e = ud;
  otp_xbuf *b = e->b;
  if (b->cap - b->len < n) {
    size_t cap = b->cap * 2;
    while (cap - b->len < n) cap *= 2;
    otp_xbuf *nb = realloc(b, sizeof *b + cap);
    if (nb == NULL) return 1;   /* lua_dump stops; reported by the caller */
    nb->cap = cap;
    e->b = b = nb;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 0;
}

static void enc_cfunction(enc *e, int idx, const frame *up) {
  lua_State *L = e->L;
  if (!is_light_cfunction(L, idx)) {
    refuse(e, up, "a C function with upvalues");
    return;
  }
  lua_CFunction f = lua_tocfunction(L, idx);
  void *p = cfunc_key(f);
  if (!lua_istable(L, e->cfuncs)) {   /* made on first use */
    push_cfuncs(L);
    lua_replace(L, e->cfuncs);
  }
  lua_rawgetp(L, e->cfuncs, p);
  size_t n = 0;
  const char *name = lua_tolstring(L, -1, &n);
  put_byte(e, T_CFUNC);
  put_bytes(e, &p, sizeof p);
  put_string(e, name ? name : "", n);
  lua_pop(L, 1);
}

static void enc_function(enc *e, int idx, const frame *up) {
  lua_State *L = e->L;
  if (lua_iscfunction(L, idx)) {
    enc_cfunction(e, idx, up);
    return;
  }
  if (back_ref(e, idx)) return;
  int nups = 0;
  const char *name;
  while ((name = lua_getupvalue(L, idx, nups + 1)) != NULL) {
    nups++;
    int module_code = strcmp(name, "_ENV") == 0 && lua_istable(L, -1) &&
                      !lua_rawequal(L, -1, e->globals) && is_shared(e, lua_gettop(L));
    lua_pop(L, 1);
    if (module_code) {   /* a module's function: by name, as the module is */
      if (!module_member(e, idx)) {
        refuse(e, up, "a module's local function (not a field of a module loaded by name)");
        return;
      }
      size_t n;
      const char *s = lua_tolstring(L, -2, &n);
      put_byte(e, T_MODFN);
      put_string(e, s, n);
      s = lua_tolstring(L, -1, &n);
      put_string(e, s, n);
      lua_pop(L, 2);
      return;
    }
  }
  if (e->depth >= MAX_DEPTH) {
    refuse(e, up, "a value nested more than 10000 levels deep");
    return;
  }
  enter(e);
  uint32_t fno = ++e->nobj;
  seen_add(e, lua_topointer(L, idx), fno, 0);
  put_byte(e, T_FUNC);
  size_t lpos = e->b->len;
  put_byte(e, 0);
  lua_pushvalue(L, idx);
  if (lua_dump(L, dump_writer, e, 0) != 0) oom(e);
  lua_pop(L, 1);
  patch_varint(e, lpos, e->b->len - lpos - 1);
  put_byte(e, nups);
  frame f = {up, 0, 0, NULL};
  for (int i = 1; i <= nups; i++) {
    f.upvalue = lua_getupvalue(L, idx, i);
    int v = lua_gettop(L);
    void *id = lua_upvalueid(L, idx, i);
    slot *s = seen_find(e, id);
    if (s) {   /* a cell already encoded with another function: join it */
      put_byte(e, T_JOIN);
      put_varint(e, s->a);
      put_varint(e, s->b);
      e->refs = 1;
    } else {
      seen_add(e, id, fno, (uint32_t)i);
      if (strcmp(f.upvalue, "_ENV") == 0 && lua_rawequal(L, v, e->globals))
        put_byte(e, T_ENV);
      else enc_value(e, v, &f);
    }
    lua_pop(L, 1);
  }
  e->depth--;
}

static void enc_value(enc *e, int idx, const frame *up) {
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
    case LUA_TTABLE:
      enc_table(e, idx, up);
      break;
    case LUA_TFUNCTION:
      if (e->mode == OTP_COPY_SPAWN) enc_function(e, idx, up);
      else refuse(e, up, "a function");
      break;
    case LUA_TUSERDATA: {
      otp_pid pid = otp_to_pid(L, idx);
      otp_ref_ud *r;
      if (pid != OTP_PID_NONE) {
        put_byte(e, T_PID);
        put_varint(e, pid);
      } else if ((r = otp_to_ref_ud(L, idx)) != NULL) {
        otp_intern_ref(L, idx);     /* so that it comes back as the same value */
        put_byte(e, T_REF);
        put_varint(e, r->id);
        put_varint(e, r->alias);
      } else refuse(e, up, "a userdata");
      break;
    }
    case LUA_TTHREAD:
      refuse(e, up, "a coroutine");
      break;
    case LUA_TLIGHTUSERDATA:
      refuse(e, up, "a light userdata");
      break;
    default:
      enc_scalar(e, idx);
  }
}

/* Protected body of otp_xencode: (enc light userdata, values...). */
static int enc_run(lua_State *L) {
  enc *e = lua_touserdata(L, 1);
  int first = 2, n = lua_gettop(L) - 1;
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
    enc_value(e, first + i, NULL);
  }
  e->b->data[0] = (unsigned char)(e->refs ? F_REFS : 0);
  return 0;
}

otp_xbuf *otp_xencode(lua_State *L, int first, int n, otp_copy_mode mode, const char *root) {
  first = lua_absindex(L, first);
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
  if (!lua_checkstack(L, n + 2)) {
    free(e.b);
    luaL_error(L, "stack overflow (encoding %d values)", n);
  }
  lua_pushcfunction(L, enc_run);
  lua_pushlightuserdata(L, &e);
  for (int i = 0; i < n; i++) lua_pushvalue(L, first + i);
  int status = lua_pcall(L, n + 1, 0, 0);
  if (e.slots != e.inline_slots) free(e.slots);
  if (status != LUA_OK) {
    free(e.b);
    const char *msg = lua_tostring(L, -1);
    if (msg && strncmp(msg, "badarg:", 7) == 0) otp_raise(L, "%s", msg);
    lua_error(L);
  }
  return e.b;
}

size_t otp_xbuf_size(const otp_xbuf *b) {
  return b->len;
}

void otp_xbuf_free(otp_xbuf *b) {
  free(b);
}


/*
** {======================================================
** Decoder
** =======================================================
*/

typedef struct dec {
  lua_State *L;
  const unsigned char *p, *end;
  int env;             /* stack slot of the globals for _ENV and require */
  int seen;            /* stack slot of number -> value, 0 if not recorded */
  lua_Integer nobj;
  int depth;
} dec;

static void dec_value(dec *d);

static uint64_t get_varint(dec *d) {
  uint64_t v = 0;
  int shift = 0;
  unsigned char c;
  do {
    c = *d->p++;
    v |= (uint64_t)(c & 0x7f) << shift;
    shift += 7;
  } while (c & 0x80);
  return v;
}

static const char *get_string(dec *d, size_t *n) {
  *n = (size_t)get_varint(d);
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

static void dec_table(dec *d, int with_mt) {
  lua_State *L = d->L;
  uint64_t narr = get_varint(d), nhash = get_varint(d);
  if ((++d->depth & 7) == 0) luaL_checkstack(L, 64, "decoding a deeply nested value");
  lua_createtable(L, narr > INT32_MAX ? 0 : (int)narr, nhash > INT32_MAX ? 0 : (int)nhash);
  int t = lua_gettop(L);
  record(d);
  for (uint64_t i = 1; i <= narr; i++) {
    unsigned char c = *d->p;
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
  while (*d->p != T_END) {
    dec_value(d);
    dec_value(d);
    lua_rawset(L, t);
  }
  d->p++;
  if (with_mt) {
    dec_value(d);
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

static void dec_function(dec *d) {
  lua_State *L = d->L;
  chunk c;
  c.s = get_string(d, &c.n);
  if ((++d->depth & 7) == 0) luaL_checkstack(L, 64, "decoding a deeply nested value");
  if (lua_load(L, chunk_reader, &c, "=(otp.xcopy)", "b") != LUA_OK) lua_error(L);
  int f = lua_gettop(L);
  record(d);
  int nups = *d->p++;
  for (int i = 1; i <= nups; i++) {
    if (*d->p == T_JOIN) {
      d->p++;
      lua_Integer other = (lua_Integer)get_varint(d);
      int n = (int)get_varint(d);
      lua_rawgeti(L, d->seen, other);
      lua_upvaluejoin(L, f, i, -1, n);
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
  memcpy(&p, d->p, sizeof p);
  d->p += sizeof p;
  size_t n;
  const char *name = get_string(d, &n);
  push_cfuncs(L);
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
  unsigned char c = *d->p++;
  if (c >= T_SSTR) {
    size_t n = c - T_SSTR;
    lua_pushlstring(L, (const char *)d->p, n);
    d->p += n;
    return;
  }
  if (c >= T_SMALLINT) {
    lua_pushinteger(L, c - T_SMALLINT);
    return;
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
    case T_BACK: lua_rawgeti(L, d->seen, (lua_Integer)get_varint(d)); break;
    case T_PID: otp_push_pid(L, (otp_pid)get_varint(d)); break;
    case T_REF: {
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
    case T_ENV: lua_pushvalue(L, d->env); break;
    case T_BASE: lua_pushglobaltable(L); break;
    default: luaL_error(L, "xcopy: corrupt buffer (tag %d)", c);
  }
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
  int flags = *d->p++;
  int n = (int)get_varint(d);
  luaL_checkstack(L, n + 72, "decoding values");
  if (flags & F_REFS) {
    lua_newtable(L);
    d->seen = lua_gettop(L);
  }
  int base = lua_gettop(L);
  for (int i = 0; i < n; i++) dec_value(d);
  return lua_gettop(L) - base;
}

int otp_xdecode(lua_State *L, const otp_xbuf *b, int env) {
  dec d = {.p = b->data, .end = b->data + b->len};
  if (env) env = lua_absindex(L, env);
  if (!lua_checkstack(L, 3)) return LUA_ERRMEM;
  lua_pushcfunction(L, dec_run);
  lua_pushlightuserdata(L, &d);
  if (env) lua_pushvalue(L, env);
  else lua_pushnil(L);
  return lua_pcall(L, 2, LUA_MULTRET, 0);
}

int otp_xmove(lua_State *from, int first, int n, lua_State *to, otp_copy_mode mode,
              const char *root, int env) {
  otp_xbuf *b = otp_xencode(from, first, n, mode, root);
  int status = otp_xdecode(to, b, env);
  otp_xbuf_free(b);
  return status;
}
