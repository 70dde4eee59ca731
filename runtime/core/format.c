/*
** Formatting values without running user code: tables print as {a, b, k = v},
** depth and length are cut.  The text is built in a C buffer, so walking the
** value may use the Lua stack freely.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/format.h"
#include "core/pid.h"
#include "core/term.h"
#include "core/ekind.h"
#include "core/vm.h"

#define MAX_DEPTH 6
#define MAX_ITEMS 40
#define MAX_TEXT (64 * 1024)

typedef struct text {
  char *p;
  size_t n, cap;
} text;

static void add_mem(text *t, const char *s, size_t len) {
  if (t->n + len > MAX_TEXT) len = t->n < MAX_TEXT ? MAX_TEXT - t->n : 0;
  if (t->n + len > t->cap) {
    size_t cap = t->cap ? t->cap : 256;
    while (cap < t->n + len) cap *= 2;
    char *p = realloc(t->p, cap);
    if (!p) return;                 /* out of memory: the text stays shorter */
    t->p = p;
    t->cap = cap;
  }
  memcpy(t->p + t->n, s, len);
  t->n += len;
}

static void add(text *t, const char *s) { add_mem(t, s, strlen(s)); }

static void add_quoted(text *t, const char *s, size_t len) {
  add(t, "\"");
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    char esc[8];
    if (c == '"' || c == '\\') snprintf(esc, sizeof esc, "\\%c", c);
    else if (c == '\n') snprintf(esc, sizeof esc, "\\n");
    else if (c < 32 || c == 127) snprintf(esc, sizeof esc, "\\%d", c);
    else { esc[0] = (char)c; esc[1] = '\0'; }
    add(t, esc);
  }
  add(t, "\"");
}

static int is_identifier(const char *s) {
  if (!*s || (*s >= '0' && *s <= '9')) return 0;
  for (; *s; s++)
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
          (*s >= '0' && *s <= '9')))
      return 0;
  return 1;
}

static void add_value(lua_State *L, text *t, int idx, int depth, int bare);

static void add_table(lua_State *L, text *t, int idx, int depth) {
  if (depth >= MAX_DEPTH) {
    add(t, "{...}");
    return;
  }
  add(t, "{");
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), items = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    if (items++ == MAX_ITEMS) {
      add(t, ", ...");
      break;
    }
    if (i > 1) add(t, ", ");
    lua_rawgeti(L, idx, i);
    add_value(L, t, lua_gettop(L), depth + 1, 0);
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int k = lua_gettop(L) - 1;
    if (lua_isinteger(L, k) && lua_tointeger(L, k) >= 1 && lua_tointeger(L, k) <= n) {
      lua_pop(L, 1);
      continue;
    }
    if (items++ == MAX_ITEMS) {
      lua_pop(L, 2);
      add(t, ", ...");
      break;
    }
    if (items > 1) add(t, ", ");
    if (lua_type(L, k) == LUA_TSTRING && is_identifier(lua_tostring(L, k))) {
      add(t, lua_tostring(L, k));
    } else {
      add(t, "[");
      add_value(L, t, k, depth + 1, 0);
      add(t, "]");
    }
    add(t, " = ");
    add_value(L, t, k + 1, depth + 1, 0);
    lua_pop(L, 1);
  }
  add(t, "}");
}

static void add_value(lua_State *L, text *t, int idx, int depth, int bare) {
  char buf[64];
  size_t len;
  luaL_checkstack(L, 4, "formatting a value");
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      const char *s = lua_tolstring(L, idx, &len);
      if (bare) add_mem(t, s, len);
      else add_quoted(t, s, len);
      break;
    }
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        snprintf(buf, sizeof buf, LUA_INTEGER_FMT, lua_tointeger(L, idx));
      } else {
        snprintf(buf, sizeof buf, LUA_NUMBER_FMT, lua_tonumber(L, idx));
        if (buf[strspn(buf, "-0123456789")] == '\0') strcat(buf, ".0");  /* 1.0, as Lua prints it */
      }
      add(t, buf);
      break;
    case LUA_TBOOLEAN:
      add(t, lua_toboolean(L, idx) ? "true" : "false");
      break;
    case LUA_TNIL:
      add(t, "nil");
      break;
    case LUA_TTABLE:
      add_table(L, t, idx, depth);
      break;
    case LUA_TUSERDATA: {
      const char *bytes;
      otp_ekind ek = otp_to_ekind(L, idx, &bytes, &len);
      if (ek != OTP_EK_NONE) {        /* <<"ok">>, otp.charlist("ok"), the digits */
        add(t, ek == OTP_EK_BINARY ? "<<" : ek == OTP_EK_CHARLIST ? "otp.charlist(" : "");
        if (ek == OTP_EK_BIGINT) add_mem(t, bytes, len);
        else add_quoted(t, bytes, len);
        add(t, ek == OTP_EK_BINARY ? ">>" : ek == OTP_EK_CHARLIST ? ")" : "");
        break;
      }
      otp_pid pid = otp_to_pid(L, idx);
      uint64_t ref = pid ? 0 : otp_to_ref(L, idx);
      if (pid) otp_pid_format_on(otp_vm_of(L)->node, pid, buf, sizeof buf);
      else if (ref) otp_ref_format(otp_vm_of(L)->node, ref, buf, sizeof buf);
      else snprintf(buf, sizeof buf, "userdata: %p", lua_topointer(L, idx));
      add(t, buf);
      break;
    }
    default:
      snprintf(buf, sizeof buf, "%s: %p", luaL_typename(L, idx), lua_topointer(L, idx));
      add(t, buf);
  }
}

void otp_format(lua_State *L, int idx, int top_bare) {
  idx = lua_absindex(L, idx);
  text t = {0};
  add_value(L, &t, idx, 0, top_bare);
  lua_pushlstring(L, t.p ? t.p : "", t.n);
  free(t.p);
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
