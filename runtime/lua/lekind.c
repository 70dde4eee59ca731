/*
** otp.binary, otp.charlist, otp.atom, otp.bigint, otp.is_binary and
** otp.term_kind: saying
** which Erlang term a Lua value is, for a peer that tells them apart (an
** Elixir string is a binary, a tag is an atom).  A plain string goes out
** as an atom (API.md section 11, README "Distribution"), so otp.atom only
** checks that it can be one and gives the string back.
*/
#include <string.h>
#include <lauxlib.h>
#include "lua/lotp.h"
#include "core/ekind.h"
#include "core/term.h"

#define MAX_ATOM 255

/* The bytes of a string, binary or charlist at idx; raises badarg for anything else. */
static const char *bytes_arg(lua_State *L, int idx, size_t *n, const char *fname) {
  const char *s;
  otp_ekind k = otp_to_ekind(L, idx, &s, n);
  if (k == OTP_EK_BINARY || k == OTP_EK_CHARLIST) return s;
  if (lua_type(L, idx) == LUA_TSTRING) return lua_tolstring(L, idx, n);
  otp_raise(L, "badarg: %s needs a string (or a binary or charlist), got %s", fname,
            luaL_typename(L, idx));
  return NULL;
}

/* binary(s) -> s as an Erlang binary (<<"...">>; an Elixir string) */
static int l_binary(lua_State *L) {
  size_t n;
  const char *s = bytes_arg(L, 1, &n, "otp.binary(s)");
  otp_push_ekind(L, OTP_EK_BINARY, s, n);
  return 1;
}

/* charlist(s) -> s as an Erlang string, a list of bytes ("..." in Erlang, ~c"..." in Elixir) */
static int l_charlist(lua_State *L) {
  size_t n;
  const char *s = bytes_arg(L, 1, &n, "otp.charlist(s)");
  otp_push_ekind(L, OTP_EK_CHARLIST, s, n);
  return 1;
}

/* atom(s) -> the plain string s, which goes out as an atom; badarg if it cannot be one */
static int l_atom(lua_State *L) {
  size_t n;
  const char *s = bytes_arg(L, 1, &n, "otp.atom(s)");
  if (n > MAX_ATOM || memchr(s, 0, n))
    return otp_raise(L, "badarg: otp.atom(s): an atom has at most %d bytes and no NUL byte "
                     "(this string has %d bytes%s); send it as otp.binary(s)", MAX_ATOM,
                     (int)n, memchr(s, 0, n) ? " and a NUL" : "");
  lua_pushlstring(L, s, n);
  return 1;
}

/* bigint(digits) -> the integer: a plain one if it fits in 64 bits, else a
** bigint that goes out as the same Erlang integer */
static int l_bigint(lua_State *L) {
  if (lua_isinteger(L, 1)) {
    lua_settop(L, 1);
    return 1;
  }
  const char *s;
  size_t n;
  if (otp_to_ekind(L, 1, &s, &n) == OTP_EK_BIGINT) {
    lua_settop(L, 1);
    return 1;
  }
  if (lua_type(L, 1) != LUA_TSTRING)
    return otp_raise(L, "badarg: otp.bigint(digits) needs a string of decimal digits, got %s",
                     luaL_typename(L, 1));
  s = lua_tolstring(L, 1, &n);
  if (otp_ekind_bigint_ok(s, n)) {
    otp_push_ekind(L, OTP_EK_BIGINT, s, n);
    return 1;
  }
  size_t digits = n > 0 && s[0] == '-' ? 1 : 0;
  int plain = n > digits && strspn(s + digits, "0123456789") == n - digits;
  if (plain && lua_stringtonumber(L, s) == n + 1 && lua_isinteger(L, -1))
    return 1;                             /* fits in 64 bits: a plain integer */
  return otp_raise(L, "badarg: otp.bigint(digits) needs decimal digits with an optional '-' "
                   "(at most %d, no leading zeros), got '%s'", OTP_BIGINT_MAX_DIGITS, s);
}

/* is_binary(v) -> true for a binary (from another node, or otp.binary) */
static int l_is_binary(lua_State *L) {
  lua_pushboolean(L, otp_ekind_of(L, 1) == OTP_EK_BINARY);
  return 1;
}

/* term_kind(v) -> "binary", "charlist", "bigint", or nil for any other value */
static int l_term_kind(lua_State *L) {
  otp_ekind k = otp_ekind_of(L, 1);
  if (k == OTP_EK_NONE) lua_pushnil(L);
  else lua_pushstring(L, otp_ekind_name(k));
  return 1;
}

const luaL_Reg otp_ekind_funcs[] = {
  {"term_kind", l_term_kind},
  {"binary", l_binary},
  {"charlist", l_charlist},
  {"atom", l_atom},
  {"bigint", l_bigint},
  {"is_binary", l_is_binary},
  {NULL, NULL}
};
