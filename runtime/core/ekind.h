/*
** Values that keep an Erlang kind a plain Lua value cannot: binaries,
** charlists (Erlang strings, lists of bytes) and integers beyond 64 bits.
** They come from other nodes (dist/dist_term.c) and from otp.binary,
** otp.charlist and otp.bigint, and go back out as the same Erlang term.
**
** Each is a full userdata over an immutable Lua string (its bytes; for a
** bigint its decimal digits), interned per state by kind and bytes, so the
** same term is always the same Lua value: == and table keys work as for
** strings.  They print as their bytes (tostring, .., string methods, #);
** a binary never equals a plain string (in Erlang <<"ok">> is not ok).
** They cross processes, sandboxes and nodes as pids and refs do.
*/
#ifndef OTP_EKIND_H
#define OTP_EKIND_H

#include <stddef.h>
#include <lua.h>

typedef enum {
  OTP_EK_NONE, OTP_EK_BINARY, OTP_EK_CHARLIST, OTP_EK_BIGINT
} otp_ekind;

#define OTP_BIGINT_MAX_DIGITS 4000   /* longer integers stay out (about 13000 bits) */

/* Pushes the interned value of kind k for s[0..n): a bigint's s is its
** decimal digits, '-' first if negative, no leading zeros, and outside the
** 64-bit range (otp_ekind_bigint_ok). */
void otp_push_ekind(lua_State *L, otp_ekind k, const char *s, size_t n);
/* The kind of the value at idx, OTP_EK_NONE if it is none (pushes nothing). */
otp_ekind otp_ekind_of(lua_State *L, int idx);
/* The same, and its bytes (valid while the value is). */
otp_ekind otp_to_ekind(lua_State *L, int idx, const char **s, size_t *n);
/* 1 if s[0..n) is a canonical decimal integer (as above) that does not fit
** in a Lua integer; then it may be a bigint. */
int otp_ekind_bigint_ok(const char *s, size_t n);
const char *otp_ekind_name(otp_ekind k);   /* "binary", "charlist", "bigint" */

#endif
