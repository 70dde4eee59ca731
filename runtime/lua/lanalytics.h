/*
** The analytics binding (otp.analytics): the supervisor binding tells it
** about every supervisor and its events; runtime/otp/analytics.h keeps them.
*/
#ifndef OTP_LANALYTICS_H
#define OTP_LANALYTICS_H

struct lua_State;
struct sup_ud;
struct otp_sup_op;

/* Sets otp.analytics (read-only) in the otp table on top of the stack. */
void otp_analytics_register(struct lua_State *L);
/* A supervisor was just made (its machine is argument 1 of the binding). */
void otp_analytics_sup_known(struct lua_State *L, struct sup_ud *u);
/* A supervisor operation note of kind OTP_SUP_OP_EVENT (a trace event), from
** lsup_emit_event: the supervisor's userdata is at stack index 1. */
void otp_analytics_sup_event(struct lua_State *L, struct sup_ud *u,
                             const struct otp_sup_op *op);

#endif
