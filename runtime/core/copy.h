/*
** Share-nothing copies of Lua values between processes of one state.
** Shared sub-tables and cycles survive; strings are immutable and shared;
** pids and refs are shared by identity.
*/
#ifndef OTP_COPY_H
#define OTP_COPY_H

#include <lua.h>

typedef enum {
  OTP_COPY_MESSAGE,  /* a message: functions, coroutines, metatables are badarg */
  OTP_COPY_SPAWN,    /* spawn arguments and upvalues: functions are cloned,
                        the parent's globals become the child's */
  OTP_COPY_LENIENT   /* an exit reason: what cannot be sent becomes its name */
} otp_copy_mode;

/* Pushes a copy of the value at idx. root names the value in error messages
** ("msg", "argument 2"). In spawn mode env is the stack index of the child's
** globals table. Message and spawn modes raise "badarg: ..." on values that
** cannot cross; lenient mode never raises (except out of memory). */
void otp_copy(lua_State *L, int idx, otp_copy_mode mode, const char *root, int env);

/* Spawn mode for the function and arguments at first..first+n-1, pushed in
** order, copied together (so upvalue cells and tables they share stay
** shared among the copies). env is a slot for child's globals: nil until a
** copied function needs them (otp_proc_push_env makes them on demand). */
struct otp_proc;
void otp_copy_spawn(lua_State *L, int first, int n, int env, struct otp_proc *child);

#endif
