/*
** Sizes with units.  Parsing refuses anything it cannot read exactly:
** signs, fractions, trailing junk and values past OTP_SIZE_MAX_BYTES (which
** would otherwise wrap to a tiny cap when shifted into bytes).
*/
#include <ctype.h>
#include <stddef.h>
#include <strings.h>
#include <lauxlib.h>
#include "core/size.h"
#include "core/term.h"

/* "8G" as well as "8GB": the letter alone is how ulimit, sort -S and erl's
** own flags write a size */
static const struct { const char *name; uint64_t bytes; } units[] = {
  {"B", 1}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"TB", (uint64_t)1 << 40},
  {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", (uint64_t)1 << 40},
};

otp_size_status otp_parse_size(const char *s, uint64_t plain_unit, uint64_t *bytes) {
  uint64_t n = 0;
  const char *p = s;
  if (!isdigit((unsigned char)*p)) return OTP_SIZE_MALFORMED;
  for (; isdigit((unsigned char)*p); p++) {
    n = n * 10 + (uint64_t)(*p - '0');
    if (n > OTP_SIZE_MAX_BYTES) return OTP_SIZE_TOO_BIG;
  }
  uint64_t unit = plain_unit;
  if (*p) {
    unit = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
      if (strcasecmp(p, units[i].name) == 0) unit = units[i].bytes;
    if (!unit) return OTP_SIZE_MALFORMED;
  }
  if (n > OTP_SIZE_MAX_BYTES / unit) return OTP_SIZE_TOO_BIG;
  *bytes = n * unit;
  return OTP_SIZE_OK;
}

uint64_t otp_check_size(lua_State *L, int idx, const char *what, uint64_t min) {
  uint64_t bytes = 0;
  otp_size_status st = OTP_SIZE_MALFORMED;
  if (lua_isinteger(L, idx)) {
    lua_Integer n = lua_tointeger(L, idx);
    st = n < 0 ? OTP_SIZE_MALFORMED
                : (uint64_t)n > OTP_SIZE_MAX_BYTES ? OTP_SIZE_TOO_BIG : OTP_SIZE_OK;
    bytes = (uint64_t)n;
  } else if (lua_type(L, idx) == LUA_TSTRING) {
    st = otp_parse_size(lua_tostring(L, idx), 1, &bytes);
  }
  if (st == OTP_SIZE_OK && bytes >= min) return bytes;
  return (uint64_t)otp_raise(L, "badarg: %s must be a size from %I bytes to 16TB: a whole "
                             "number of bytes or a string like \"512KB\" or \"16MB\", got %s",
                             what, (lua_Integer)min, luaL_tolstring(L, idx, NULL));
}
