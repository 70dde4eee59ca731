/*
** clone.h
** Fresh closures of an existing Lua prototype (one per spawned process)
*/

#ifndef otp_clone_h
#define otp_clone_h

#include <lua.h>

/* Largest upvalue count served by a spliced factory (MAXVARS in lparser.c);
** beyond it the factory reloads the dumped function on every call. */
#define OTP_CLONE_MAXSPLICE	200

/*
** Pushes a factory for the Lua function at index idx: a function F such
** that F(u1, ..., un) returns a new closure of the same prototype as the
** function at idx, whose n upvalues are fresh cells initialised to
** u1..un (n = number of upvalues of that function; missing arguments
** are nil, extra ones ignored). Repeated calls for the same closure, or
** for another closure of the same prototype, return the cached factory.
** Returns 0, or -1 with an error message string pushed instead (e.g. idx
** is a C function). Never raises except on memory errors.
*/
int otp_clone_factory (lua_State *L, int idx);

/*
** Convenience: pushes a new closure of the prototype of the Lua function
** at idx whose upvalues are fresh cells holding the current values of
** that function's upvalues (so the result shares no cell with it). Same
** return convention as otp_clone_factory; raises only on memory errors
** (or a C stack overflow when calling the factory).
*/
int otp_clone (lua_State *L, int idx);

#endif
