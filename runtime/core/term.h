/*
** Terms that are not plain Lua values: pids, refs and exit exceptions.
** Pids and refs are full userdata compared by identity; each state interns
** them so the same process (or reference) is always the same Lua value.
*/
#ifndef OTP_TERM_H
#define OTP_TERM_H

#include <lua.h>
#include "core/pid.h"

struct otp_vm;

#define OTP_PID_MT "otp.pid"
#define OTP_REF_MT "otp.ref"
#define OTP_PID_PREFIX_LEN 3

/* Each starts with its kind (the address of a constant of term.c), so that
** telling a pid or a ref from another value takes no metatable lookup:
** only C code could forge one, and C code can reach the metatables anyway. */
typedef struct {
  const void *kind;
  otp_pid pid;
} otp_pid_ud;
typedef struct {
  const void *kind;
  uint64_t id;
  otp_pid alias;   /* while an alias: the process that messages to it reach */
} otp_ref_ud;

void otp_term_init(lua_State *L, struct otp_vm *vm);

/* Pushes the (interned) pid value for pid. */
void otp_push_pid(lua_State *L, otp_pid pid);
/* Creates the userdata for a new process (not interned: the process anchors it). */
void otp_new_pid(lua_State *L, otp_pid pid);
/* Interns the existing userdata at idx of pid (its process is going away). */
void otp_intern_pid(lua_State *L, int idx, otp_pid pid);
otp_pid otp_check_pid(lua_State *L, int idx);
otp_pid otp_to_pid(lua_State *L, int idx);     /* OTP_PID_NONE if not a pid */

/* Pushes a fresh ref; interned ones can be pushed again by id. */
uint64_t otp_new_ref(lua_State *L, int interned);
void otp_push_ref(lua_State *L, uint64_t id);
/* Interns the ref at idx (it is about to leave its state and may come back). */
void otp_intern_ref(lua_State *L, int idx);
uint64_t otp_to_ref(lua_State *L, int idx);    /* 0 if not a ref */
otp_ref_ud *otp_to_ref_ud(lua_State *L, int idx);  /* NULL if not a ref */

/* Is the value at idx a pid, a ref or an Erlang-kinded value (core/ekind.h): sendable userdata? */
int otp_is_term_udata(lua_State *L, int idx);

/* lua_setmetatable for a metatable copied from user data: the object is
** never made finalizable, even if the metatable has a __gc field (one added
** after setmetatable in the source, where it was inert and stays inert). */
void otp_setmetatable_inert(lua_State *L, int idx);

/* Formats a local pid as "<0.N.0>" into buf. */
void otp_pid_format(otp_pid pid, char *buf, size_t len);
/* Formats any pid, one of another node too ("<N.M.S>", N > 0), or a ref. */
struct otp_node;
void otp_pid_format_on(const struct otp_node *node, otp_pid pid, char *buf, size_t len);
void otp_ref_format(const struct otp_node *node, uint64_t id, char *buf, size_t len);
/* Parses "<0.N.0>"; returns the serial or 0. */
uint64_t otp_pid_parse_serial(const char *s);

/* Raises "code: what was wrong (at file:line)": the message starts with its
** stable code (badarg:, noproc:, limit:) and ends with where the caller is. */
int otp_raise(lua_State *L, const char *fmt, ...);

/* Exit exceptions, raised by otp.exit(reason): pcall sees {"EXIT", reason}. */
int otp_raise_exit(lua_State *L, int reason_idx);
int otp_is_exit_exception(lua_State *L, int idx);

#endif
