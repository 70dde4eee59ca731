/*
** Erlang terms <-> Lua values, the rule otplab documents (README,
** "Distribution"):
**   in:  atoms -> strings (true/false -> booleans), integers, floats,
**        binaries and Erlang strings -> strings, tuples and proper lists ->
**        arrays, maps -> tables; anything else (pids, refs, funs, bignums,
**        improper lists) -> the error value {"unsupported_term", WHAT}.
**   out: strings -> atoms (binaries beyond 255 bytes), booleans -> true/false,
**        integers, floats, arrays (and {}) -> tuples, other tables -> maps.
*/
#ifndef OTP_DIST_TERM_H
#define OTP_DIST_TERM_H

#include <ei.h>
#include <lua.h>

/* Decodes the term at *index of buf and pushes it; never fails on bad input
** (an undecodable term pushes the error value). */
void otp_dist_push_term(lua_State *L, const char *buf, int *index);
/* Encodes the value at idx into x; raises badarg for what cannot cross. */
void otp_dist_encode(lua_State *L, int idx, ei_x_buff *x);

#endif
