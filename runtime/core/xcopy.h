/*
** Copies of Lua values between two different Lua states (sandboxes, later
** nodes), through a compact C encoding: the sender encodes into a malloc'd
** buffer, the receiver decodes it into its own state. Sharing and cycles
** survive; pids and refs are re-interned by the receiver; in spawn mode Lua
** functions travel as binary chunks with their upvalues, module tables by
** name, and light C functions only if the receiver has them too.
*/
#ifndef OTP_XCOPY_H
#define OTP_XCOPY_H

#include <stddef.h>
#include <lua.h>
#include "core/copy.h"

typedef struct otp_xbuf otp_xbuf;   /* an encoded value list, malloc'd */

/* Encodes the n values at L[first..first+n-1]. root names the value in error
** messages ("msg"); when n > 1 the path says "argument K" with K counted from
** 0 as copy.c does (for spawn, argument 0 is the function). Message and spawn
** modes raise "badarg: ..." in L for values that cannot cross, lenient mode
** turns them into strings ("<a function>") and raises only when out of memory.
** Nothing leaks on error: the buffer is freed before the error is re-raised. */
otp_xbuf *otp_xencode(lua_State *L, int first, int n, otp_copy_mode mode, const char *root);

/* otp_xencode for another node: every pid and ref is appended to the array
** at stack index terms and the buffer holds its index there, so that the
** array can cross as Erlang terms (translated) beside the buffer. */
otp_xbuf *otp_xencode_with(lua_State *L, int first, int n, otp_copy_mode mode,
                           const char *root, int terms);

/* Pushes the n decoded values onto L (a thread of another state than the
** encoder's; no process needs to be running). env: stack index in L of the
** globals that decoded functions get as _ENV, and whose `require` resolves
** modules; 0 for L's base globals. Runs protected: returns LUA_OK, or an
** error status with the message pushed instead of the values. Every read is
** bounds-checked, but spawn-mode bytecode is trusted: only decode buffers
** this process encoded (bytes from elsewhere: otp_xdecode_message). */
int otp_xdecode(lua_State *L, const otp_xbuf *b, int env);
/* otp_xdecode of an otp_xencode_with buffer: terms is the stack index of
** its array of pids and refs (as they arrived here), 0 if there is none. */
int otp_xdecode_with(lua_State *L, const otp_xbuf *b, int env, int terms);

/* A buffer holding a copy of len encoded bytes that came from elsewhere
** (a file, a peer), for otp_xdecode_message. NULL if out of memory. */
otp_xbuf *otp_xbuf_from(const void *bytes, size_t len);

/* otp_xdecode for bytes from outside the process (a peer, a file): only
** what a message may hold is accepted (no functions, whose bytecode Lua does
** not verify, no C function pointers, modules or metatables); anything else,
** and any truncated or corrupt encoding, is an error status with the
** message "xcopy: corrupt buffer (...)" pushed. */
int otp_xdecode_message(lua_State *L, const otp_xbuf *b);

size_t otp_xbuf_size(const otp_xbuf *b);   /* encoded bytes */
const void *otp_xbuf_data(const otp_xbuf *b);
void otp_xbuf_free(otp_xbuf *b);

/* Encodes from `from`, decodes into `to`, frees. Returns LUA_OK or the decode
** error status (message pushed on `to`). Encoding errors raise in `from`. */
int otp_xmove(lua_State *from, int first, int n, lua_State *to, otp_copy_mode mode,
              const char *root, int env);

#endif
