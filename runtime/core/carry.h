/*
** Carrying a value into another process's state.  Runtime code that builds
** a message or a reason for a process works on a thread of that process's
** state; when the value at hand lives in another state it is copied over
** first (leniently, like an exit reason: what cannot cross becomes its name).
*/
#ifndef OTP_CARRY_H
#define OTP_CARRY_H

#include <lua.h>
#include "core/copy.h"
#include "core/proc.h"

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

/* Sends the value at L[idx] from self to `to`, a process of another state:
** encoded in mode (raising badarg in L for what cannot cross), decoded with
** to's globals so pids and aliases arrive as pids and aliases of that state,
** traced as a send and queued. A message that cannot be decoded there (out of
** memory) is lost, as one to the dead. */
void otp_carry_message(lua_State *L, int idx, otp_proc *self, otp_proc *to,
                       otp_copy_mode mode);

#endif
