/*
** Child specs and supervisor flags: the validated C form and the checks
** OTP's supervisor makes (OTP_RULES.md C16, C17), in OTP's order.
**
** The checks see values through otp_raw, a Lua-free description the binding
** fills in: what kind of value a field holds and, for strings and integers,
** the value. An error is a code; the binding builds OTP's error term from it
** (with the offending value) and a sentence from otp_spec_hint().
*/
#ifndef OTP_CHILDSPEC_H
#define OTP_CHILDSPEC_H

#include <stdint.h>

typedef enum { OTP_RESTART_PERMANENT, OTP_RESTART_TRANSIENT, OTP_RESTART_TEMPORARY } otp_restart_type;
typedef enum { OTP_CHILD_WORKER, OTP_CHILD_SUPERVISOR } otp_child_type;
typedef enum { OTP_STRATEGY_ONE_FOR_ONE, OTP_STRATEGY_ONE_FOR_ALL, OTP_STRATEGY_REST_FOR_ONE } otp_strategy;
typedef enum { OTP_AUTO_NEVER, OTP_AUTO_ANY_SIGNIFICANT, OTP_AUTO_ALL_SIGNIFICANT } otp_auto_shutdown;

/* shutdown: milliseconds >= 0, or one of these */
#define OTP_SHUTDOWN_BRUTAL_KILL (-1)
#define OTP_SHUTDOWN_INFINITY (-2)

/* Defaults (API.md: Elixir's 3 restarts in 5 s). */
#define OTP_DEFAULT_INTENSITY 3
#define OTP_DEFAULT_PERIOD 5
#define OTP_DEFAULT_WORKER_SHUTDOWN 5000

/* A validated child spec; the id, start function and modules stay with the
** binding, which names them by key. */
typedef struct otp_child_spec {
  uint64_t key;
  otp_restart_type restart;
  otp_child_type type;
  int64_t shutdown;            /* ms, OTP_SHUTDOWN_BRUTAL_KILL or OTP_SHUTDOWN_INFINITY */
  int significant;
} otp_child_spec;

typedef struct otp_sup_flags {
  otp_strategy strategy;
  int intensity;               /* restarts allowed ... */
  int period;                  /* ... in this many seconds */
  otp_auto_shutdown auto_shutdown;
} otp_sup_flags;

/* ---- raw values ---- */

typedef enum {
  OTP_RAW_ABSENT,    /* nil: the field was not given */
  OTP_RAW_STRING,
  OTP_RAW_INTEGER,
  OTP_RAW_BOOLEAN,
  OTP_RAW_OTHER      /* any other value (a float, a table, a function...) */
} otp_raw_kind;

typedef struct otp_raw {
  otp_raw_kind kind;
  const char *s;     /* OTP_RAW_STRING */
  int64_t i;         /* OTP_RAW_INTEGER; OTP_RAW_BOOLEAN: 0 or 1 */
} otp_raw;

/* What the binding saw in a modules field. */
typedef enum {
  OTP_MODS_ABSENT, OTP_MODS_DYNAMIC, OTP_MODS_LIST, OTP_MODS_BAD_ELEMENT, OTP_MODS_OTHER
} otp_mods_kind;

typedef struct otp_raw_spec {
  int is_table;      /* 0: the spec itself is not a table */
  otp_raw id;        /* ABSENT, or the id; OTHER: not a string, number or boolean */
  int start;         /* 0 absent, 1 a valid {fn_or_module, args...}, -1 anything else */
  otp_raw restart, shutdown, type, significant;
  otp_mods_kind modules;
} otp_raw_spec;

typedef struct otp_raw_flags {
  int is_table;
  otp_raw strategy, intensity, period, auto_shutdown;
} otp_raw_flags;

/* ---- checks ---- */

typedef enum {
  OTP_SPEC_OK,
  OTP_SPEC_NOT_A_TABLE,         /* {invalid_child_spec, Spec} */
  OTP_SPEC_MISSING_ID,          /* missing_id */
  OTP_SPEC_MISSING_START,       /* missing_start */
  OTP_SPEC_BAD_ID,              /* otplab: {invalid_child_id, Id} (OTP takes any term) */
  OTP_SPEC_BAD_START,           /* {invalid_mfa, Start} */
  OTP_SPEC_BAD_RESTART,         /* {invalid_restart_type, R} */
  OTP_SPEC_SIGNIFICANT_NEVER,   /* {bad_combination, [{auto_shutdown, never}, {significant, true}]} */
  OTP_SPEC_SIGNIFICANT_PERMANENT, /* {bad_combination, [{restart, permanent}, {significant, true}]} */
  OTP_SPEC_BAD_SIGNIFICANT,     /* {invalid_significant, S} */
  OTP_SPEC_BAD_TYPE,            /* {invalid_child_type, T} */
  OTP_SPEC_BAD_SHUTDOWN,        /* {invalid_shutdown, S} */
  OTP_SPEC_BAD_MODULES,         /* {invalid_modules, M} */
  OTP_SPEC_BAD_MODULE,          /* {invalid_module, M} */
  OTP_SPEC__COUNT
} otp_spec_err;

typedef enum {
  OTP_FLAGS_OK,
  OTP_FLAGS_NOT_A_TABLE,        /* {bad_flags, F} */
  OTP_FLAGS_BAD_STRATEGY,       /* {invalid_strategy, S} */
  OTP_FLAGS_BAD_INTENSITY,      /* {invalid_intensity, I} */
  OTP_FLAGS_BAD_PERIOD,         /* {invalid_period, P} */
  OTP_FLAGS_BAD_AUTO_SHUTDOWN,  /* {invalid_auto_shutdown, A} */
  OTP_FLAGS__COUNT
} otp_flags_err;

/* Checks raw (OTP's do_check_childspec, same order of checks) for a
** supervisor whose auto_shutdown is auto_shutdown; fills *out (but its key)
** on success. */
otp_spec_err otp_spec_check(const otp_raw_spec *raw, otp_auto_shutdown auto_shutdown,
                            otp_child_spec *out);
/* Checks raw for a dynamic supervisor, in the order of Elixir's
** DynamicSupervisor (start, restart, shutdown, type, modules): there the id
** may be absent (dynamic children have none), a missing start is
** OTP_SPEC_NOT_A_TABLE ({invalid_child_spec, Spec}) and significant is not
** looked at. */
otp_spec_err otp_spec_check_dynamic(const otp_raw_spec *raw, otp_child_spec *out);
/* Checks supervisor flags (OTP's check_flags order); absent fields take the
** defaults. */
otp_flags_err otp_flags_check(const otp_raw_flags *raw, otp_sup_flags *out);

/* The atom OTP uses in an error term ("invalid_restart_type"...), or NULL
** when the error is not a {Tag, Value} pair. */
const char *otp_spec_err_tag(otp_spec_err err);
const char *otp_flags_err_tag(otp_flags_err err);
/* What was wrong, in words for a learner. */
const char *otp_spec_hint(otp_spec_err err);
const char *otp_flags_hint(otp_flags_err err);

/* Names, as the Lua API spells them. */
const char *otp_restart_name(otp_restart_type r);
const char *otp_child_type_name(otp_child_type t);
const char *otp_strategy_name(otp_strategy s);
const char *otp_auto_shutdown_name(otp_auto_shutdown a);
/* The strategy named s, or -1. */
int otp_strategy_from_name(const char *s);

#endif
