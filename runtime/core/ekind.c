/*
** Binaries, charlists and integers beyond 64 bits as Lua values (ekind.h).
** A value is a userdata holding only its kind; its bytes are its user
** value, a Lua string, so a 20 MB binary is stored once.  The intern table
** of each kind (bytes -> value, weak values) and the metatables live in the
** state's registry, made on first use.
*/
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/ekind.h"
#include "core/term.h"

typedef struct {
  const void *kind;
} ekind_ud;

static const char kinds[4];   /* &kinds[k] marks kind k; also the intern tables' keys */
static const char *const names[4] = {NULL, "otp.binary", "otp.charlist", "otp.bigint"};

const char *otp_ekind_name(otp_ekind k) {
  return k == OTP_EK_BINARY ? "binary" : k == OTP_EK_CHARLIST ? "charlist" : "bigint";
}

otp_ekind otp_ekind_of(lua_State *L, int idx) {
  const ekind_ud *u = lua_touserdata(L, idx);
  if (!u || lua_rawlen(L, idx) != sizeof *u) return OTP_EK_NONE;
  return u->kind == &kinds[OTP_EK_BINARY]     ? OTP_EK_BINARY
         : u->kind == &kinds[OTP_EK_CHARLIST] ? OTP_EK_CHARLIST
         : u->kind == &kinds[OTP_EK_BIGINT]   ? OTP_EK_BIGINT
                                              : OTP_EK_NONE;
}

otp_ekind otp_to_ekind(lua_State *L, int idx, const char **s, size_t *n) {
  otp_ekind k = otp_ekind_of(L, idx);
  if (k == OTP_EK_NONE) return k;
  luaL_checkstack(L, 1, "reading a binary");
  if (lua_getiuservalue(L, idx, 1) == LUA_TSTRING) {
    *s = lua_tolstring(L, -1, n);      /* the value anchors the string */
  } else {                             /* replaced by debug.setuservalue: empty */
    *s = "";
    *n = 0;
  }
  lua_pop(L, 1);
  return k;
}

int otp_ekind_bigint_ok(const char *s, size_t n) {
  int neg = n > 0 && s[0] == '-';
  const char *d = s + neg;
  size_t k = n - (size_t)neg;
  if (k == 0 || k > OTP_BIGINT_MAX_DIGITS || d[0] < '1' || d[0] > '9') return 0;
  for (size_t i = 0; i < k; i++)
    if (d[i] < '0' || d[i] > '9') return 0;
  if (k != 19) return k > 19;
  return memcmp(d, neg ? "9223372036854775808" : "9223372036854775807", 19) > 0;
}

/* ---- metamethods ---- */

static const char *bytes_of(lua_State *L, int idx, size_t *n) {
  const char *s;
  if (otp_to_ekind(L, idx, &s, n) != OTP_EK_NONE) return s;
  return NULL;
}

static int e_tostring(lua_State *L) {
  lua_getiuservalue(L, 1, 1);
  return 1;
}

static int e_len(lua_State *L) {
  size_t n;
  bytes_of(L, 1, &n);
  lua_pushinteger(L, (lua_Integer)n);
  return 1;
}

/* a .. b: bytes, strings and numbers, as string concatenation */
static int e_concat(lua_State *L) {
  for (int i = 1; i <= 2; i++) {
    size_t n;
    const char *s = bytes_of(L, i, &n);
    if (s) lua_pushlstring(L, s, n);
    else if (lua_type(L, i) == LUA_TSTRING || lua_type(L, i) == LUA_TNUMBER) lua_pushvalue(L, i);
    else return luaL_error(L, "attempt to concatenate a %s value", luaL_typename(L, i));
  }
  lua_concat(L, 2);
  return 1;
}

/* A string library function called with the bytes in place of any such value. */
static int e_method(lua_State *L) {
  int n = lua_gettop(L);
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = bytes_of(L, i, &len);
    if (s) {
      lua_pushlstring(L, s, len);
      lua_replace(L, i);
    }
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, n, LUA_MULTRET);
  return lua_gettop(L);
}

/* b:upper(), b:sub(1, 2)...: the string library's functions */
static int e_index(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  if (lua_getfield(L, -1, "string") != LUA_TTABLE || lua_type(L, 2) != LUA_TSTRING) return 0;
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) != LUA_TFUNCTION) return 0;
  lua_pushcclosure(L, e_method, 1);
  return 1;
}

/* Binaries (charlists) order by their bytes, as Erlang orders them. */
static int bytes_compare(lua_State *L) {
  size_t a, b;
  const char *x = bytes_of(L, 1, &a), *y = bytes_of(L, 2, &b);
  if (!x || !y || otp_ekind_of(L, 1) != otp_ekind_of(L, 2))
    return luaL_error(L, "attempt to compare %s with %s", luaL_typename(L, 1),
                      luaL_typename(L, 2));
  int c = memcmp(x, y, a < b ? a : b);
  return c ? c : (a > b) - (a < b);
}

/* Integers order by value: a bigint is beyond every Lua integer. */
static int big_compare(lua_State *L) {
  size_t a, b;
  const char *x = bytes_of(L, 1, &a), *y = bytes_of(L, 2, &b);
  if (x && y) {
    int nx = x[0] == '-', ny = y[0] == '-';
    if (nx != ny) return nx ? -1 : 1;
    int c = a != b ? (a > b ? 1 : -1) : memcmp(x, y, a);
    c = c > 0 ? 1 : c < 0 ? -1 : 0;
    return nx ? -c : c;
  }
  int big = x ? 1 : 2;
  const char *s = x ? x : y;
  if (lua_type(L, 3 - big) != LUA_TNUMBER)
    return luaL_error(L, "attempt to compare %s with %s", luaL_typename(L, 1),
                      luaL_typename(L, 2));
  int c;
  if (lua_isinteger(L, 3 - big)) {
    c = s[0] == '-' ? -1 : 1;
  } else {
    double d = strtod(s, NULL), f = lua_tonumber(L, 3 - big);
    c = d > f ? 1 : d < f ? -1 : 0;
  }
  return big == 1 ? c : -c;
}

static int compare(lua_State *L) {
  return otp_ekind_of(L, 1) == OTP_EK_BIGINT || otp_ekind_of(L, 2) == OTP_EK_BIGINT
             ? big_compare(L)
             : bytes_compare(L);
}

static int e_lt(lua_State *L) {
  lua_pushboolean(L, compare(L) < 0);
  return 1;
}

static int e_le(lua_State *L) {
  lua_pushboolean(L, compare(L) <= 0);
  return 1;
}

static int big_arith(lua_State *L) {
  return otp_raise(L, "badarg: an integer beyond 64 bits (otp.bigint) has no arithmetic in "
                   "otplab: it compares, prints (tostring gives its digits) and goes back to "
                   "Erlang as the same integer");
}

static const luaL_Reg every_mt[] = {
  {"__tostring", e_tostring}, {"__lt", e_lt}, {"__le", e_le}, {NULL, NULL}
};
static const luaL_Reg bytes_mt[] = {   /* binaries and charlists read as strings */
  {"__len", e_len}, {"__concat", e_concat}, {"__index", e_index}, {NULL, NULL}
};
static const luaL_Reg bigint_mt[] = {
  {"__add", big_arith}, {"__sub", big_arith}, {"__mul", big_arith}, {"__div", big_arith},
  {"__mod", big_arith}, {"__pow", big_arith}, {"__unm", big_arith}, {"__idiv", big_arith},
  {NULL, NULL}
};

static void push_mt(lua_State *L, otp_ekind k) {
  if (!luaL_newmetatable(L, names[k])) return;
  luaL_setfuncs(L, every_mt, 0);
  luaL_setfuncs(L, k == OTP_EK_BIGINT ? bigint_mt : bytes_mt, 0);
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
}

void otp_push_ekind(lua_State *L, otp_ekind k, const char *s, size_t n) {
  luaL_checkstack(L, 6, "making a binary");
  if (lua_rawgetp(L, LUA_REGISTRYINDEX, &kinds[k]) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &kinds[k]);
  }
  lua_pushlstring(L, s, n);
  lua_pushvalue(L, -1);
  if (lua_rawget(L, -3) == LUA_TUSERDATA) {   /* interned: the same value */
    lua_replace(L, -3);
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  ekind_ud *u = lua_newuserdatauv(L, sizeof *u, 1);
  u->kind = &kinds[k];
  lua_pushvalue(L, -2);
  lua_setiuservalue(L, -2, 1);
  push_mt(L, k);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -2);           /* table bytes ud */
  lua_pushvalue(L, -2);
  lua_rawset(L, -5);
  lua_replace(L, -3);
  lua_pop(L, 1);
}
