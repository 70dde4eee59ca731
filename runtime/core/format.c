/*
** Formatting values without running user code: tables print as {a, b, k = v},
** cycles and depth are cut, long output is capped.
*/
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>
#include "core/format.h"
#include "core/pid.h"
#include "core/term.h"

#define MAX_DEPTH 6
#define MAX_ITEMS 40

static void add_value(lua_State *L, luaL_Buffer *b, int idx, int depth, int bare);

static int is_identifier(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9')) return 0;
  for (; *s; s++)
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9')))
      return 0;
  return 1;
}

static void add_table(lua_State *L, luaL_Buffer *b, int idx, int depth) {
  if (depth >= MAX_DEPTH) {
    luaL_addstring(b, "{...}");
    return;
  }
  luaL_addchar(b, '{');
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), items = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    if (items++ == MAX_ITEMS) {
      luaL_addstring(b, ", ...");
      break;
    }
    if (i > 1) luaL_addstring(b, ", ");
    lua_rawgeti(L, idx, i);
    add_value(L, b, lua_gettop(L), depth + 1, 0);
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1 && lua_tointeger(L, -2) <= n) {
      lua_pop(L, 1);
      continue;
    }
    if (items++ == MAX_ITEMS) {
      lua_pop(L, 2);
      luaL_addstring(b, ", ...");
      break;
    }
    if (items > 1) luaL_addstring(b, ", ");
    if (lua_type(L, -2) == LUA_TSTRING && is_identifier(lua_tostring(L, -2))) {
      luaL_addstring(b, lua_tostring(L, -2));
    } else {
      luaL_addchar(b, '[');
      add_value(L, b, lua_gettop(L) - 1, depth + 1, 0);
      luaL_addchar(b, ']');
    }
    luaL_addstring(b, " = ");
    add_value(L, b, lua_gettop(L), depth + 1, 0);
    lua_pop(L, 1);
  }
  luaL_addchar(b, '}');
}

static void add_value(lua_State *L, luaL_Buffer *b, int idx, int depth, int bare) {
  luaL_checkstack(L, 6, "formatting a value");
  char buf[64];
  switch (lua_type(L, idx)) {
    case LUA_TSTRING:
      if (bare) {
        luaL_addvalue((lua_pushvalue(L, idx), b));
      } else {
        lua_getglobal(L, "string");
        lua_getfield(L, -1, "format");
        lua_pushliteral(L, "%q");
        lua_pushvalue(L, idx);
        lua_call(L, 2, 1);
        lua_remove(L, -2);
        luaL_addvalue(b);
      }
      break;
    case LUA_TNUMBER:
    case LUA_TBOOLEAN:
    case LUA_TNIL:
      luaL_addstring(b, lua_type(L, idx) == LUA_TNUMBER ? (lua_pushvalue(L, idx), lua_tostring(L, -1))
                    : lua_type(L, idx) == LUA_TNIL ? "nil"
                    : lua_toboolean(L, idx) ? "true" : "false");
      if (lua_type(L, idx) == LUA_TNUMBER) lua_pop(L, 1);
      break;
    case LUA_TTABLE:
      add_table(L, b, idx, depth);
      break;
    case LUA_TUSERDATA: {
      otp_pid pid = otp_to_pid(L, idx);
      uint64_t ref = pid ? 0 : otp_to_ref(L, idx);
      if (pid) otp_pid_format(pid, buf, sizeof buf);
      else if (ref) snprintf(buf, sizeof buf, "#Ref<0.%d.%d.%d>", (int)(ref >> 32) & 0xffff,
                             (int)((ref >> 16) & 0xffff), (int)(ref & 0xffff));
      else snprintf(buf, sizeof buf, "userdata: %p", lua_topointer(L, idx));
      luaL_addstring(b, buf);
      break;
    }
    default:
      snprintf(buf, sizeof buf, "%s: %p", luaL_typename(L, idx), lua_topointer(L, idx));
      luaL_addstring(b, buf);
  }
}

void otp_format(lua_State *L, int idx, int top_bare) {
  idx = lua_absindex(L, idx);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  add_value(L, &b, idx, 0, top_bare);
  luaL_pushresult(&b);
}

void otp_format_reason(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_istable(L, idx)) {
    lua_rawgeti(L, idx, 1);
    int is_error = lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "error") == 0;
    lua_pop(L, 1);
    if (is_error) {
      lua_rawgeti(L, idx, 2);
      otp_format(L, -1, 1);
      lua_rawgeti(L, idx, 3);
      const char *tb = lua_tostring(L, -1);
      lua_pushfstring(L, "crashed: %s%s%s", lua_tostring(L, -2),
                      tb && *tb ? "\n" : "", tb ? tb : "");
      lua_replace(L, -4);
      lua_pop(L, 2);
      return;
    }
  }
  otp_format(L, idx, 1);
}
