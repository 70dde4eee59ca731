/*
** Private to otp.supervisor_core, the binding of the supervisor state
** machines: what its pieces share. lsupervisor.c creates, drives and
** answers the machines; lsupervisor_spec.c reads child specs and keeps the
** children's records; lsupervisor_notes.c writes reports and trace events.
** The machine's userdata is always at stack index 1 (see lsupervisor.c for
** its uservalue table).
*/
#ifndef OTP_LSUPERVISOR_H
#define OTP_LSUPERVISOR_H

#include <stdint.h>
#include "lua/lotp.h"
#include "otp/dynsup.h"
#include "otp/supervisor.h"

typedef struct sup_ud {
  otp_sup *s;                /* a supervisor, or */
  otp_dynsup *d;             /* a dynamic supervisor */
  otp_pid self;
  int dynamic;
  uint64_t next_key;
  uint64_t key;              /* the child of the START or TERMINATE handed out */
} sup_ud;

/* lsupervisor.c: small helpers */
void lsup_push_pair(lua_State *L, const char *tag, int value);   /* {tag, value at idx} */
void lsup_push_shutdown(lua_State *L, int64_t ms);
int lsup_push_data(lua_State *L, const char *field);
int lsup_push_record(lua_State *L, uint64_t key);
void lsup_push_record_field(lua_State *L, uint64_t key, const char *field);

/* lsupervisor_spec.c: child specs and the children's records. read_spec
** pushes the F_COUNT fields of a spec, in this order, from its base. */
enum { F_ID, F_START, F_RESTART, F_SHUTDOWN, F_TYPE, F_SIGNIFICANT, F_MODULES, F_BADMOD, F_COUNT };
otp_raw lsup_raw_of(lua_State *L, int idx);
int lsup_read_spec(lua_State *L, int spec, otp_raw_spec *raw);
int lsup_error_value(otp_spec_err err, int spec, int base);
void lsup_push_spec_error(lua_State *L, otp_spec_err err, int spec, int base);
uint64_t lsup_store_child(lua_State *L, sup_ud *u, const otp_child_spec *c, int base,
                          int with_id);
uint64_t lsup_key_of_id(lua_State *L, int idx);
void lsup_forget(lua_State *L, uint64_t key);

/* lsupervisor_notes.c: the log and layer 0's trace events */
void lsup_push_sup_name(lua_State *L, sup_ud *u);
void lsup_log_spec_error(lua_State *L, sup_ud *u, const char *where, const char *hint,
                         int value);
void lsup_log_report(lua_State *L, sup_ud *u, const otp_sup_op *op);
void lsup_emit_event(lua_State *L, sup_ud *u, const otp_sup_op *op);


#define SUP_MT "otp.supervisor_core"   /* the machines' metatable */

/* lsupervisor.c: shared helpers */
void lsup_set_data(lua_State *L, const char *field);   /* pops the value into the uservalue */
sup_ud *lsup_check_ud(lua_State *L);                 /* the machine at argument 1 */
void lsup_wrap(lua_State *L, const char *tag);       /* the value on top as {tag, value} */
int64_t lsup_now_s(lua_State *L);                          /* monotonic seconds */
int lsup_alive(void *ud, otp_pid pid);               /* ud: the node */
int lsup_flag_value(otp_flags_err fe, int base);     /* stack index of a bad flag */
/* lsupervisor_new.c: supervisor_core.new, new_dynamic and the machines' __gc */
int lsup_new(lua_State *L);
int lsup_new_dynamic(lua_State *L);
int lsup_gc(lua_State *L);
/* lsupervisor_api.c: the API-call methods of a machine */
extern const luaL_Reg lsup_api_methods[];

#endif
