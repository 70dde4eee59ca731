/*
** Internal bindings (the supervisor and sandbox machines behind
** otp.supervisor and otp.sandbox) are for the library's own Lua files only.
** They live under a registry key only C reads, and reach a library module
** as the third argument of its chunk: local _, _, internal = ...
** A module counts as the library's when its file resolves to a path inside
** the project's Lua directory (OTP_LUA_DIR), whatever package.path says.
*/
#ifndef OTP_INTERNAL_H
#define OTP_INTERNAL_H

#include <lua.h>

/* Moves the named fields of the table at idx into the internal table. */
void otp_internal_stash(lua_State *L, int idx, const char *const names[]);

/* If filename is a library file, replaces the loaded chunk on top of the
** stack with a loader that also passes it the internal table. */
void otp_internal_wrap_chunk(lua_State *L, const char *filename);

#endif
