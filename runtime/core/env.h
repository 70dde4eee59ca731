/*
** Globals and modules.  Each process has its own globals table whose
** metatable falls back to the node's base globals; library and module tables
** are shared by every process through read-only proxies.
*/
#ifndef OTP_ENV_H
#define OTP_ENV_H

#include <lua.h>

struct otp_vm;

/* Sets up the base globals, the shared set, the per-process versions of
** load/loadfile/dofile/require and the module search path. */
void otp_env_init(lua_State *L, struct otp_vm *vm);

/* Pushes a read-only proxy of the table at idx (cached), and marks both the
** table and the proxy as shared by every process. */
void otp_env_readonly(lua_State *L, int idx);
/* Makes package.loaded's library entries and getmetatable("") read-only
** views; run once the runtime has finished changing the library. */
void otp_env_seal_library(lua_State *L);

/* Marks the table at idx as shared by every process (not copied on spawn). */
void otp_env_share(lua_State *L, int idx);

/* Pushes the running process's globals, or the base globals outside one. */
void otp_env_push_current(lua_State *L);

#endif
