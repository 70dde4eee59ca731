/*
** The cross-state encoding, shared by its encoder (xencode.c) and decoder
** (xdecode.c); core/xcopy.h is the interface. The encoding is a byte string:
**
**   buffer  = flags:byte  n:varint  value*n
**   value   = NIL | FALSE | TRUE | SMALLINT+i (0..63) | INT zigzag:varint
**           | FLT double:8 | SSTR+len (len < 64) bytes | STR len:varint bytes
**           | TABLE narr:varint nhash:varint value*narr (key value)* END
**           | TABLEMT ...as TABLE... metatable:value       (spawn mode)
**           | BACK index:varint         a table or function already encoded
**           | PID pid:varint | REF id:varint alias:varint
**             (with F_TERMS: pid and id index an array given beside the
**             buffer, alias 0; for another node, which gets that array as
**             Erlang terms so that its pids and refs are translated)
**           | FUNC len:varint dump nups:byte upvalue*nups    (spawn mode)
**           | CFUNC pointer:8 name:string                     (spawn mode)
**           | MOD name:string | MODFN name:string key:string
**           | ENV | BASE
**           | EKIND kind:byte string   a binary, charlist or bigint (core/ekind.h)
**   upvalue = JOIN index:varint n:varint   (the cell of function index's n-th
**                                           upvalue, already encoded)
**           | value
**   string  = len:varint bytes
**
** Tables and functions are numbered in the order they start; BACK and JOIN
** refer to those numbers. flags says whether any BACK or JOIN was written:
** if not, the decoder does not record what it makes (a flat message costs
** no map). Varints are little-endian 7-bit groups, high bit = more.
*/
#ifndef OTP_XWIRE_H
#define OTP_XWIRE_H

#include <stddef.h>
#include <lua.h>

#define MAX_DEPTH 10000
#define INLINE_SLOTS 16   /* seen-hash slots before it needs malloc */

enum {
  T_END, T_NIL, T_FALSE, T_TRUE, T_INT, T_FLT, T_STR, T_TABLE, T_TABLEMT,
  T_BACK, T_PID, T_REF, T_FUNC, T_JOIN, T_CFUNC, T_MOD, T_MODFN, T_ENV, T_BASE, T_EKIND,
  T_SMALLINT = 0x40,   /* 0x40..0x7f: integers 0..63 */
  T_SSTR = 0x80        /* 0x80..0xbf: strings of 0..63 bytes */
};

#define F_REFS 1       /* flags: BACK or JOIN present, the decoder records */
#define F_TERMS 2      /* PID and REF hold an index into a separate array of them */

struct otp_xbuf {
  size_t len, cap;
  unsigned char data[];
};

/* The light C functions reachable in L's state (pointer -> "lib.name"),
** by which C functions cross: made once per state, pushed. */
void otp_xcopy_push_cfuncs(lua_State *L);
/* A C function as the key of that table. */
void *otp_xcopy_cfunc_key(lua_CFunction f);
/* Is the value at idx a C function without upvalues? */
int otp_xcopy_is_light_cfunction(lua_State *L, int idx);

#endif
