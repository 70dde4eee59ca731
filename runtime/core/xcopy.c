/*
** Copies between Lua states (core/xcopy.h): the encoded buffers, the table
** of C functions a state can receive by name, and otp_xmove. The encoding
** is described in xwire.h; xencode.c writes it and xdecode.c reads it.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/xcopy.h"
#include "core/xwire.h"

/* registry key (its address): state's light C functions -> "lib.name" */
static const char cfuncs_key = 'c';

int otp_xcopy_is_light_cfunction(lua_State *L, int idx) {
  if (lua_tocfunction(L, idx) == NULL) return 0;
  if (lua_getupvalue(L, idx, 1) == NULL) return 1;
  lua_pop(L, 1);
  return 0;
}

void *otp_xcopy_cfunc_key(lua_CFunction f) {
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
    if (lua_type(L, -2) == LUA_TSTRING && otp_xcopy_is_light_cfunction(L, -1)) {
      lua_pushlightuserdata(L, otp_xcopy_cfunc_key(lua_tocfunction(L, -1)));
      if (lua_rawget(L, names) == LUA_TNIL) {
        lua_pushlightuserdata(L, otp_xcopy_cfunc_key(lua_tocfunction(L, -2)));
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
void otp_xcopy_push_cfuncs(lua_State *L) {
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

otp_xbuf *otp_xbuf_from(const void *bytes, size_t len) {
  otp_xbuf *b = malloc(sizeof *b + (len ? len : 1));
  if (b == NULL) return NULL;
  b->len = b->cap = len;
  if (len) memcpy(b->data, bytes, len);
  return b;
}

size_t otp_xbuf_size(const otp_xbuf *b) {
  return b->len;
}

const void *otp_xbuf_data(const otp_xbuf *b) {
  return b->data;
}

void otp_xbuf_free(otp_xbuf *b) {
  free(b);
}

int otp_xmove(lua_State *from, int first, int n, lua_State *to, otp_copy_mode mode,
              const char *root, int env) {
  otp_xbuf *b = otp_xencode(from, first, n, mode, root);
  int status = otp_xdecode(to, b, env);
  otp_xbuf_free(b);
  return status;
}
