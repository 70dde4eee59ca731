/*
** Erlang terms <-> Lua values, the rule otplab documents (README,
** "Distribution"):
**   in:  atoms -> strings (true/false -> booleans), integers, floats,
**        binaries -> binaries, Erlang strings (STRING_EXT) -> charlists,
**        integers beyond 64 bits -> bigints (core/ekind.h), tuples and
**        proper lists -> arrays, maps -> tables, pids and refs (of any
**        node) -> pids and refs; anything else (ports, funs, improper
**        lists, bit strings, maps with compound keys) -> the error value
**        {"unsupported_term", WHAT}.
**   out: strings -> atoms (binaries beyond 255 bytes or with a NUL),
**        binaries, charlists and bigints -> themselves, booleans ->
**        true/false, integers, floats, arrays (and {}) -> tuples, other
**        tables -> maps, pids and refs -> pids and refs.
** Round-trip stable: what arrives goes back as the same term, except a
** list (an array goes out as a tuple) and an atom of more than 255 bytes.
*/
#ifndef OTP_DIST_TERM_H
#define OTP_DIST_TERM_H

#include <ei.h>
#include <lua.h>
#include "core/pid.h"

struct otp_node;

typedef struct otp_dist_ctx {
  struct otp_node *node;     /* whose table of remote pids and refs (core/remote.h) */
  const char *self;          /* this node's name: its pids and refs are local */
  unsigned creation;
} otp_dist_ctx;

/* Decodes the term at *index of buf and pushes it; never fails on bad input
** (an undecodable term pushes the error value). */
void otp_dist_push_term(const otp_dist_ctx *cx, lua_State *L, const char *buf, int *index);
/* Encodes the value at idx into x; raises badarg for what cannot cross. */
void otp_dist_encode(const otp_dist_ctx *cx, lua_State *L, int idx, ei_x_buff *x);
/* Encodes the array at idx as a proper list (rpc arguments). */
void otp_dist_encode_list(const otp_dist_ctx *cx, lua_State *L, int idx, ei_x_buff *x);

/* Walks the term at *index of buf[0..len) and moves *index past it: 0, or
** -1 if it is malformed or runs past len (term_check.c). Every term from
** another node passes here before ei decodes it. */
int otp_dist_check_term(const char *buf, size_t len, size_t *index);

/* Integers beyond 64 bits (bignum.c). _push: the SMALL_BIG_EXT or
** LARGE_BIG_EXT at buf[*index] (already bounds-checked) as a bigint, or -1
** (nothing pushed) if it fits in 64 bits or has too many digits.
** _encode: the decimal digits s[0..len) as one; -1 if out of memory. */
int dist_big_push(lua_State *L, const char *buf, int *index);
int dist_big_encode(ei_x_buff *x, const char *s, size_t len);

/* Pids and refs on the wire; _in returns 0 if the table of remote ones is full. */
otp_pid otp_dist_pid_in(const otp_dist_ctx *cx, const erlang_pid *e);
void otp_dist_pid_out(const otp_dist_ctx *cx, otp_pid pid, erlang_pid *e);
uint64_t otp_dist_ref_in(const otp_dist_ctx *cx, const erlang_ref *e);
void otp_dist_ref_out(const otp_dist_ctx *cx, uint64_t ref, erlang_ref *e);

#endif
