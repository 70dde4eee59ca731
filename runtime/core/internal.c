/*
** Internal bindings, given to library code only (see internal.h).  User
** code can call the wrapped loader (through package.searchers) but only gets
** the module back; the internal table itself is never returned or stored
** where Lua code can read it.
*/
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/internal.h"

static const char internal_key = 'i';

void otp_internal_stash(lua_State *L, int idx, const char *const names[]) {
  idx = lua_absindex(L, idx);
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &internal_key) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &internal_key);
  }
  for (int i = 0; names[i]; i++) {
    lua_getfield(L, idx, names[i]);
    lua_setfield(L, -2, names[i]);
    lua_pushnil(L);
    lua_setfield(L, idx, names[i]);
  }
  lua_pop(L, 1);
}

/* Does filename resolve to a file under the library directory? Resolving
** both sides defeats "lib/../elsewhere" and symlinks out of the directory. */
static int is_library_file(const char *filename) {
  char dir[PATH_MAX], file[PATH_MAX];
  if (!realpath(OTP_LUA_DIR, dir) || !realpath(filename, file)) return 0;
  size_t n = strlen(dir);
  return strncmp(file, dir, n) == 0 && file[n] == '/';
}

/* loader(name, extra): the module chunk (upvalue 1) run as
** chunk(name, extra, internal). */
static int library_loader(lua_State *L) {
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &internal_key);
  lua_call(L, 3, 1);
  return 1;
}

void otp_internal_wrap_chunk(lua_State *L, const char *filename) {
  if (!is_library_file(filename)) return;
  lua_pushcclosure(L, library_loader, 1);
}
