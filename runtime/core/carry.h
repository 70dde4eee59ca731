/*
** Carrying a value into another process's state.  Runtime code that builds
** a message or a reason for a process works on a thread of that process's
** state; when the value at hand lives in another state it is copied over
** first (leniently, like an exit reason: what cannot cross becomes its name).
*/
#ifndef OTP_CARRY_H
#define OTP_CARRY_H

#include <lua.h>

struct otp_vm;

typedef struct otp_carry {
  lua_State *L;        /* the thread to use: the caller's, or vm->L */
  int idx;             /* where the value is on L */
  int top;             /* L's top to restore, or -1 */
} otp_carry;

/* Makes the value at from[idx] available on a thread of vm. */
otp_carry otp_carry_begin(lua_State *from, int idx, struct otp_vm *vm);
/* Restores the stack otp_carry_begin borrowed (values pushed since are dropped). */
void otp_carry_end(const otp_carry *c);

/* The other way: moves the value on top of T (popped) onto L, copying it if
** they are threads of different states. A value that cannot be copied (out
** of memory) arrives as the string lost, or nil if lost is NULL. */
void otp_carry_top(lua_State *T, lua_State *L, const char *lost);

#endif
