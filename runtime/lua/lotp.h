/*
** The Lua bindings.  The otp module is assembled in lotp.c from the function
** groups below, one file each.
*/
#ifndef OTP_LOTP_H
#define OTP_LOTP_H

#include <lua.h>
#include <lauxlib.h>
#include "core/proc.h"
#include "core/copy.h"

struct otp_node;
struct otp_node_config;

/* A node whose states have the otp module (otp_node_create with
** luaopen_otp): what the host and the tests start. */
struct otp_node *otp_node_new(const struct otp_node_config *cfg, char *err, size_t errlen);

int luaopen_otp(lua_State *L);
int luaopen_otp_trace(lua_State *L);
/* ltrace.c: starts the run's ring of the newest max_events events, owned by
** the first process (not yet running); 0, or -1 if it could not. */
int otp_trace_start_run_ring(struct otp_node *node, otp_pid owner, int max_events);
void otp_supervisor_core_register(lua_State *L);   /* lsupervisor.c: otp.supervisor_core */
void otp_coroutine_init(lua_State *L);
/* lpattern.c: a sandbox's string.find/match/gmatch/gsub, which yield between slices */
void otp_pattern_register(lua_State *L);
/* lsandbox_loops.c: a sandbox's string.rep and table.move/insert/remove, without endless C loops */
void otp_sandbox_loops_register(lua_State *L);
void otp_stdin_register(lua_State *L);             /* lstdin.c: package.preload["otp.stdin"], main state only */

/* lfault.c: otp.fault_core, and the two points where faults act */
struct otp_node;
void otp_fault_core_register(lua_State *L);
/* A message from self to `to` (its copy at msg, on L): 1 if a drop rule
** takes it or it is held (a delay rule, or its pair has held messages): it
** must then not be delivered now. */
int otp_fault_intercepts(struct otp_node *node, lua_State *L, otp_proc *self, otp_proc *to, int msg);
/* Raises p's injected crash, if one is pending (returns 0 otherwise). */
int otp_fault_crash_now(lua_State *L, otp_proc *p);

/* lsandbox.c: otp.sandbox_core (main state only), and spawning into a sandbox */
struct otp_sandbox;
struct otp_vm;
void otp_sandbox_core_register(lua_State *L);
int otp_sandbox_spawn(lua_State *L, struct otp_sandbox *sb, int fidx, int nargs,
                      int link, int monitor);
int otp_sandbox_refuse_spawn(lua_State *L, const struct otp_vm *vm);
void otp_sandbox_push_name(lua_State *L, const otp_proc *p);
/* A process of parent in T's state running the function (and arguments)
** xcopy-encoded in code, then the elements of the array at args (0: none)
** as further arguments; terms: the array of the code's pids and refs when
** it came from another node (otp_xdecode_with), else 0; protected. Returns LUA_OK with *out made (not yet
** started), or an error status with the message pushed on T. */
struct otp_xbuf;
int otp_spawn_decoded(lua_State *T, const struct otp_xbuf *code, otp_pid parent, int args,
                      int terms, otp_proc **out);

/* Argument checks that raise "badarg: FNAME needs WHAT, got TYPE". */
void otp_arg_type(lua_State *L, int idx, int type, const char *fname, const char *what);
const char *otp_arg_string(lua_State *L, int idx, const char *fname);
int otp_arg_option(lua_State *L, int idx, const char *def, const char *const list[],
                   const char *fname);

/* Puts funcs in the library table lib (string, table, ...) of L's state:
** the table itself, which processes see through a read-only view. */
void otp_library_replace(lua_State *L, const char *lib, const luaL_Reg *funcs);

/* Sorts the list on top of L in place (table.sort: pids oldest first, names
** alphabetically). */
void otp_sort_list(lua_State *L);

/* Finishes a spawn by self of p (made and loaded): links, starts it, pushes
** its pid and, if asked, monitors it (pushing the ref, with the receive
** marker set). Returns the number of values pushed. */
int otp_spawn_finish(lua_State *L, otp_proc *self, otp_proc *p, int link, int monitor);

/* lsignal.c: self monitors target (NULL: not alive, an immediate DOWN
** noproc), who being the stack index of what a DOWN names and name_idx (or
** 0) the name it was monitored by; with alias the ref is also an alias of
** self. Pushes the ref, sets the receive marker, returns the ref's id. */
uint64_t otp_monitor_push(lua_State *L, otp_proc *self, otp_proc *target, int name_idx,
                          int who, int alias);

/* The longest finite wait: 2^53 ms (285,000 years), the largest whole number a
** Lua float holds exactly, so the rounding below never overflows. */
#define OTP_MAX_TIMEOUT_MS 9007199254740992.0
#define OTP_MAX_TIMEOUT_TEXT "9007199254740992 (2^53)"

/* lsignal.c: the outcome of a call's wait (otp._await_call), the reply or
** DOWN on top and the ref at stack 1: pushes true, reply (the monitor ended,
** a queued DOWN of it dropped) or false, the DOWN's reason; returns 2. */
int otp_call_outcome(lua_State *L, otp_proc *self);

/* The calling process; raises if called outside one. */
otp_proc *otp_self(lua_State *L);

extern const luaL_Reg otp_spawn_funcs[];    /* lspawn.c */
extern const luaL_Reg otp_message_funcs[];  /* lmessage.c */
extern const luaL_Reg otp_receive_funcs[];  /* lreceive.c */
extern const luaL_Reg otp_signal_funcs[];   /* lsignal.c */
extern const luaL_Reg otp_info_funcs[];     /* linfo.c */
extern const luaL_Reg otp_dist_funcs[];     /* ldist.c */
extern const luaL_Reg otp_ekind_funcs[];    /* lekind.c: otp.binary, charlist, atom, bigint */
void otp_dist_core_register(lua_State *L);  /* ldist.c: otp.dist_core (internal) */


#endif
