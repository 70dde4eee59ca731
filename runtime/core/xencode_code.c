/*
** The crossing of code, in spawn mode (xwire.h's FUNC, CFUNC, MOD, MODFN):
** a Lua function as its bytecode and upvalues (cells shared between
** functions joined), a module or a module's function by its name in
** package.loaded, a light C function by its name in the destination.
*/
#include "core/xenc.h"
#include "core/node.h"
#include "core/term.h"

int xenc_is_shared(enc *e, int idx) {
  lua_State *L = e->L;
  lua_pushvalue(L, idx);
  int yes = lua_rawget(L, e->shared) != LUA_TNIL;
  lua_pop(L, 1);
  return yes;
}

int xenc_is_env(enc *e, int idx) {
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
  if (xenc_is_env(e, idx)) return 0;
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

void xenc_module(enc *e, int idx, const frame *up) {
  if (!module_name(e, idx)) {
    xenc_refuse_shared(e, up);
    return;
  }
  size_t n;
  const char *s = lua_tolstring(e->L, -1, &n);
  put_byte(e, T_MOD);
  put_string(e, s, n);
  lua_pop(e->L, 1);
}

/* Replaces a read-only module proxy on top of the stack by the table it
** reads from (see env.c); other values stay. */
static void unproxy(lua_State *L) {
  if (!lua_getmetatable(L, -1)) return;
  lua_pushliteral(L, "__index");
  if (lua_rawget(L, -2) == LUA_TTABLE) {
    lua_replace(L, -3);
    lua_pop(L, 1);
  } else {
    lua_pop(L, 2);
  }
}

/* Pushes the name of the module whose field key (pushed too) is the function
** at idx; returns 0 (nothing pushed) if no loaded module exports it. */
static int module_member(enc *e, int idx) {
  lua_State *L = e->L;
  luaL_checkstack(L, 8, "naming a module function");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  int loaded = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, loaded)) {
    if (lua_type(L, -2) == LUA_TSTRING && lua_istable(L, -1)) {
      unproxy(L);
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
  if (!otp_xcopy_is_light_cfunction(L, idx)) {
    xenc_refuse(e, up, "a C function with upvalues");
    return;
  }
  lua_CFunction f = lua_tocfunction(L, idx);
  void *p = otp_xcopy_cfunc_key(f);
  if (!lua_istable(L, e->cfuncs)) {   /* made on first use */
    otp_xcopy_push_cfuncs(L);
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

void xenc_function(enc *e, int idx, const frame *up) {
  lua_State *L = e->L;
  if (lua_iscfunction(L, idx)) {
    enc_cfunction(e, idx, up);
    return;
  }
  if (xenc_back_ref(e, idx)) return;
  if (module_member(e, idx)) {   /* a module's function: by name, as the module is */
    size_t n;
    const char *s = lua_tolstring(L, -2, &n);
    put_byte(e, T_MODFN);
    put_string(e, s, n);
    s = lua_tolstring(L, -1, &n);
    put_string(e, s, n);
    lua_pop(L, 2);
    return;
  }
  int nups = 0;
  const char *name;
  while ((name = lua_getupvalue(L, idx, nups + 1)) != NULL) {
    nups++;
    int module_code = strcmp(name, "_ENV") == 0 && lua_istable(L, -1) &&
                      !lua_rawequal(L, -1, e->globals) && xenc_is_shared(e, lua_gettop(L));
    lua_pop(L, 1);
    if (module_code) {
      xenc_refuse(e, up, "a module's local function (not a field of a module loaded by name)");
      return;
    }
  }
  if (e->depth >= MAX_DEPTH) {
    xenc_refuse(e, up, "a value nested more than 10000 levels deep");
    return;
  }
  xenc_enter(e);
  uint32_t fno = ++e->nobj;
  xenc_seen_add(e, lua_topointer(L, idx), fno, 0);
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
    slot *s = xenc_seen_find(e, id);
    if (s) {   /* a cell already encoded with another function: join it */
      put_byte(e, T_JOIN);
      put_varint(e, s->a);
      put_varint(e, s->b);
      e->refs = 1;
    } else {
      xenc_seen_add(e, id, fno, (uint32_t)i);
      if (strcmp(f.upvalue, "_ENV") == 0 && lua_rawequal(L, v, e->globals))
        put_byte(e, T_ENV);
      else xenc_value(e, v, &f);
    }
    lua_pop(L, 1);
  }
  e->depth--;
}
