/*
** Child spec and flag checks, in the order OTP's supervisor.erl makes them
** (do_check_childspec: id, start, restart, significant, type, shutdown,
** modules; check_flags: strategy, intensity, period, auto_shutdown), so the
** first error reported is the one OTP would report.
*/
#include <string.h>
#include "otp/childspec.h"

static int is_string(const otp_raw *v, const char *s) {
  return v->kind == OTP_RAW_STRING && strcmp(v->s, s) == 0;
}

static int check_restart(const otp_raw *r, otp_child_spec *c) {
  if (r->kind == OTP_RAW_ABSENT || is_string(r, "permanent")) c->restart = OTP_RESTART_PERMANENT;
  else if (is_string(r, "transient")) c->restart = OTP_RESTART_TRANSIENT;
  else if (is_string(r, "temporary")) c->restart = OTP_RESTART_TEMPORARY;
  else return 0;
  return 1;
}

static int check_type(const otp_raw *t, otp_child_spec *c) {
  if (t->kind == OTP_RAW_ABSENT || is_string(t, "worker")) c->type = OTP_CHILD_WORKER;
  else if (is_string(t, "supervisor")) c->type = OTP_CHILD_SUPERVISOR;
  else return 0;
  return 1;
}

/* The default shutdown depends on the type: call after check_type, or
** give the type to use. */
static int check_shutdown(const otp_raw *d, otp_child_type type, otp_child_spec *c) {
  if (d->kind == OTP_RAW_ABSENT)
    c->shutdown = type == OTP_CHILD_WORKER ? OTP_DEFAULT_WORKER_SHUTDOWN : OTP_SHUTDOWN_INFINITY;
  else if (d->kind == OTP_RAW_INTEGER && d->i >= 0) c->shutdown = d->i;
  else if (is_string(d, "brutal_kill")) c->shutdown = OTP_SHUTDOWN_BRUTAL_KILL;
  else if (is_string(d, "infinity")) c->shutdown = OTP_SHUTDOWN_INFINITY;
  else return 0;
  return 1;
}

static otp_spec_err check_modules(otp_mods_kind m) {
  if (m == OTP_MODS_BAD_ELEMENT) return OTP_SPEC_BAD_MODULE;
  if (m == OTP_MODS_OTHER) return OTP_SPEC_BAD_MODULES;
  return OTP_SPEC_OK;
}

static void store(otp_child_spec *out, const otp_child_spec *c) {
  if (!out) return;
  uint64_t key = out->key;
  *out = *c;
  out->key = key;
}

otp_spec_err otp_spec_check(const otp_raw_spec *raw, otp_auto_shutdown auto_shutdown,
                            otp_child_spec *out) {
  if (!raw->is_table) return OTP_SPEC_NOT_A_TABLE;
  if (raw->id.kind == OTP_RAW_ABSENT) return OTP_SPEC_MISSING_ID;
  if (raw->start == 0) return OTP_SPEC_MISSING_START;
  if (raw->id.kind == OTP_RAW_OTHER) return OTP_SPEC_BAD_ID;
  if (raw->start < 0) return OTP_SPEC_BAD_START;
  otp_child_spec c = {0};
  if (!check_restart(&raw->restart, &c)) return OTP_SPEC_BAD_RESTART;
  const otp_raw *s = &raw->significant;
  if (s->kind == OTP_RAW_BOOLEAN && s->i) {
    if (auto_shutdown == OTP_AUTO_NEVER) return OTP_SPEC_SIGNIFICANT_NEVER;
    if (c.restart == OTP_RESTART_PERMANENT) return OTP_SPEC_SIGNIFICANT_PERMANENT;
    c.significant = 1;
  } else if (!(s->kind == OTP_RAW_ABSENT || s->kind == OTP_RAW_BOOLEAN)) {
    return OTP_SPEC_BAD_SIGNIFICANT;
  }
  if (!check_type(&raw->type, &c)) return OTP_SPEC_BAD_TYPE;
  if (!check_shutdown(&raw->shutdown, c.type, &c)) return OTP_SPEC_BAD_SHUTDOWN;
  otp_spec_err e = check_modules(raw->modules);
  if (e != OTP_SPEC_OK) return e;
  store(out, &c);
  return OTP_SPEC_OK;
}

otp_spec_err otp_spec_check_dynamic(const otp_raw_spec *raw, otp_child_spec *out) {
  if (!raw->is_table || raw->start == 0) return OTP_SPEC_NOT_A_TABLE;
  if (raw->start < 0) return OTP_SPEC_BAD_START;
  otp_child_spec c = {0};
  if (!check_restart(&raw->restart, &c)) return OTP_SPEC_BAD_RESTART;
  otp_child_spec t = {0};
  int type_ok = check_type(&raw->type, &t);
  if (!check_shutdown(&raw->shutdown, type_ok ? t.type : OTP_CHILD_WORKER, &c))
    return OTP_SPEC_BAD_SHUTDOWN;
  if (!type_ok) return OTP_SPEC_BAD_TYPE;
  c.type = t.type;
  otp_spec_err e = check_modules(raw->modules);
  if (e != OTP_SPEC_OK) return e;
  store(out, &c);
  return OTP_SPEC_OK;
}

otp_flags_err otp_flags_check(const otp_raw_flags *raw, otp_sup_flags *out) {
  if (!raw->is_table) return OTP_FLAGS_NOT_A_TABLE;
  otp_sup_flags f = {OTP_STRATEGY_ONE_FOR_ONE, OTP_DEFAULT_INTENSITY, OTP_DEFAULT_PERIOD,
                     OTP_AUTO_NEVER};
  if (raw->strategy.kind != OTP_RAW_ABSENT) {
    int s = raw->strategy.kind == OTP_RAW_STRING ? otp_strategy_from_name(raw->strategy.s) : -1;
    if (s < 0) return OTP_FLAGS_BAD_STRATEGY;
    f.strategy = (otp_strategy)s;
  }
  const otp_raw *i = &raw->intensity;
  if (i->kind != OTP_RAW_ABSENT) {
    if (i->kind != OTP_RAW_INTEGER || i->i < 0 || i->i > INT32_MAX) return OTP_FLAGS_BAD_INTENSITY;
    f.intensity = (int)i->i;
  }
  const otp_raw *p = &raw->period;
  if (p->kind != OTP_RAW_ABSENT) {
    if (p->kind != OTP_RAW_INTEGER || p->i <= 0 || p->i > INT32_MAX) return OTP_FLAGS_BAD_PERIOD;
    f.period = (int)p->i;
  }
  const otp_raw *a = &raw->auto_shutdown;
  if (a->kind == OTP_RAW_ABSENT || is_string(a, "never")) f.auto_shutdown = OTP_AUTO_NEVER;
  else if (is_string(a, "any_significant")) f.auto_shutdown = OTP_AUTO_ANY_SIGNIFICANT;
  else if (is_string(a, "all_significant")) f.auto_shutdown = OTP_AUTO_ALL_SIGNIFICANT;
  else return OTP_FLAGS_BAD_AUTO_SHUTDOWN;
  if (out) *out = f;
  return OTP_FLAGS_OK;
}

static const char *const spec_tags[OTP_SPEC__COUNT] = {
  NULL, "invalid_child_spec", NULL, NULL, "invalid_child_id", "invalid_mfa",
  "invalid_restart_type", NULL, NULL, "invalid_significant", "invalid_child_type",
  "invalid_shutdown", "invalid_modules", "invalid_module"
};

static const char *const spec_hints[OTP_SPEC__COUNT] = {
  "the child spec is valid",
  "a child spec must be a table {id=, start=, restart=, shutdown=, type=, significant=, modules=}",
  "the child spec has no id (id= names the child in which_children, terminate_child...)",
  "the child spec has no start (start={fn, args...} or {module, args...})",
  "a child id must be a string, a number or a boolean",
  "start must be a table {fn, args...} or {module, args...} whose first element is a "
  "function or a module table",
  "restart must be \"permanent\", \"transient\" or \"temporary\"",
  "significant = true needs auto_shutdown = \"any_significant\" or \"all_significant\" "
  "in the supervisor's flags (with auto_shutdown = \"never\" nothing would ever use it)",
  "a permanent child cannot be significant (it is always restarted, so it never ends "
  "for good); make it transient or temporary",
  "significant must be true or false",
  "type must be \"worker\" or \"supervisor\"",
  "shutdown must be \"brutal_kill\", \"infinity\" or an integer number of "
  "milliseconds >= 0",
  "modules must be \"dynamic\" or a list of module names",
  "each element of modules must be a module name (a string)"
};

static const char *const flags_tags[OTP_FLAGS__COUNT] = {
  NULL, "bad_flags", "invalid_strategy", "invalid_intensity", "invalid_period",
  "invalid_auto_shutdown"
};

static const char *const flags_hints[OTP_FLAGS__COUNT] = {
  "the flags are valid",
  "the supervisor spec must be a table {strategy=, intensity=, period=, children=...}",
  "strategy must be \"one_for_one\", \"one_for_all\" or \"rest_for_one\" (for "
  "simple_one_for_one, use otp.dynamic_supervisor)",
  "intensity (how many restarts are allowed within period) must be an integer >= 0",
  "period (the window of seconds in which intensity restarts are allowed) must be an "
  "integer > 0",
  "auto_shutdown must be \"never\", \"any_significant\" or \"all_significant\""
};

const char *otp_spec_err_tag(otp_spec_err err) {
  return err < OTP_SPEC__COUNT ? spec_tags[err] : NULL;
}

const char *otp_flags_err_tag(otp_flags_err err) {
  return err < OTP_FLAGS__COUNT ? flags_tags[err] : NULL;
}

const char *otp_spec_hint(otp_spec_err err) {
  return err < OTP_SPEC__COUNT ? spec_hints[err] : "unknown error";
}

const char *otp_flags_hint(otp_flags_err err) {
  return err < OTP_FLAGS__COUNT ? flags_hints[err] : "unknown error";
}

const char *otp_restart_name(otp_restart_type r) {
  static const char *const names[] = {"permanent", "transient", "temporary"};
  return names[r];
}

const char *otp_child_type_name(otp_child_type t) {
  return t == OTP_CHILD_WORKER ? "worker" : "supervisor";
}

static const char *const strategy_names[] = {"one_for_one", "one_for_all", "rest_for_one"};

const char *otp_strategy_name(otp_strategy s) {
  return strategy_names[s];
}

int otp_strategy_from_name(const char *s) {
  for (int i = 0; i < 3; i++)
    if (strcmp(strategy_names[i], s) == 0) return i;
  return -1;
}

const char *otp_auto_shutdown_name(otp_auto_shutdown a) {
  static const char *const names[] = {"never", "any_significant", "all_significant"};
  return names[a];
}
