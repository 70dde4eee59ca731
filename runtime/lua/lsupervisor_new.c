/*
** otp.supervisor_core, making machines: supervisor_core.new(spec, parent)
** and new_dynamic(opts, parent) read and check the flags and child specs,
** answer a bad spec with OTP's error term (logged in words), and wrap the
** machine in its userdata; __gc frees it.
*/
#include <string.h>
#include "lua/lsupervisor.h"
#include "otp/analytics.h"
#include "lua/lanalytics.h"
#include "core/copy.h"
#include "core/env.h"
#include "core/format.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/signal.h"
#include "core/term.h"
#include "core/carry.h"
#include "trace/trace.h"

/* Checks the argument table of fname, reads the parent (argument 2) and
** leaves 1 = a new machine, 2 = the table. */
static sup_ud *new_ud(lua_State *L, const char *fname, const char *what, otp_pid *parent) {
  otp_arg_type(L, 1, LUA_TTABLE, fname, what);
  *parent = otp_to_pid(L, 2);
  lua_settop(L, 1);
  sup_ud *u = lua_newuserdatauv(L, sizeof *u, 1);
  memset(u, 0, sizeof *u);
  luaL_setmetatable(L, SUP_MT);
  lua_createtable(L, 0, 4);
  lua_newtable(L);
  lua_setfield(L, -2, "keys");
  lua_newtable(L);
  lua_setfield(L, -2, "ids");
  lua_setiuservalue(L, -2, 1);
  u->self = otp_self(L)->pid;
  lua_insert(L, 1);
  return u;
}

/* Pushes the fields names[0..n-1] of the table at idx; returns the first index. */
static int push_fields(lua_State *L, int idx, const char *const names[], int n) {
  int base = lua_gettop(L) + 1;
  for (int i = 0; i < n; i++) lua_getfield(L, idx, names[i]);
  return base;
}

/* Reads flags fields into raw; pushes 4 values, returns the first index. */
static int read_flags(lua_State *L, int spec, otp_raw_flags *raw) {
  static const char *const names[] = {"strategy", "intensity", "period", "auto_shutdown"};
  int base = push_fields(L, spec, names, 4);
  raw->is_table = 1;
  raw->strategy = lsup_raw_of(L, base);
  raw->intensity = lsup_raw_of(L, base + 1);
  raw->period = lsup_raw_of(L, base + 2);
  raw->auto_shutdown = lsup_raw_of(L, base + 3);
  return base;
}

/* The stack index of the flag a flags error is about, the flags being
** pushed in read_flags' order from base. */
int lsup_flag_value(otp_flags_err fe, int base) {
  return base + (int)(fe - OTP_FLAGS_BAD_STRATEGY);
}

/* Wraps the error term on top as {wrapper, term}, logs it with a sentence
** and returns nil, the wrapped term. */
static int init_error(lua_State *L, sup_ud *u, const char *wrapper, const char *hint,
                      int value) {
  lsup_wrap(L, wrapper);
  lsup_log_spec_error(L, u, "cannot start", hint, value);
  lua_pushnil(L);
  lua_insert(L, -2);
  return 2;
}

/* new(spec, parent) -> machine | nil, error term */
int lsup_new(lua_State *L) {
  otp_pid parent;
  sup_ud *u = new_ud(L, "supervisor_core.new", "a supervisor spec table", &parent);
  otp_raw_flags rf;
  int fb = read_flags(L, 2, &rf);
  otp_sup_flags flags;
  otp_flags_err fe = otp_flags_check(&rf, &flags);
  if (fe != OTP_FLAGS_OK) {
    lsup_push_pair(L, otp_flags_err_tag(fe), lsup_flag_value(fe, fb));
    return init_error(L, u, "supervisor_data", otp_flags_hint(fe), lsup_flag_value(fe, fb));
  }
  void *aud;
  lua_Alloc af = lua_getallocf(L, &aud);
  u->s = otp_sup_new(&flags, parent, af, aud);
  if (!u->s) return luaL_error(L, "not enough memory");
  int children = lua_getfield(L, 2, "children") == LUA_TNIL ? 0 : lua_gettop(L);
  if (children && !lua_istable(L, children)) {
    lsup_push_pair(L, "invalid_child_spec", children);
    return init_error(L, u, "start_spec", "children must be a list of child specs", children);
  }
  lua_Integer n = children ? (lua_Integer)lua_rawlen(L, children) : 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int top = lua_gettop(L);
    lua_rawgeti(L, children, i);
    int spec = lua_gettop(L);
    otp_raw_spec raw;
    int base = lsup_read_spec(L, spec, &raw);
    otp_child_spec c = {0};
    otp_spec_err err = otp_spec_check(&raw, flags.auto_shutdown, &c);
    if (err != OTP_SPEC_OK) {
      lsup_push_spec_error(L, err, spec, base);
      return init_error(L, u, "start_spec", otp_spec_hint(err),
                        lsup_error_value(err, spec, base));
    }
    if (lsup_key_of_id(L, base + F_ID)) {
      lsup_push_pair(L, "duplicate_child_name", base + F_ID);
      return init_error(L, u, "start_spec", "two children have the same id (ids name "
                        "children: each must be unique)", base + F_ID);
    }
    c.key = lsup_store_child(L, u, &c, base, 1);
    if (otp_sup_add_child(u->s, &c) < 0) return luaL_error(L, "not enough memory");
    lua_settop(L, top);
  }
  lua_settop(L, 1);
  otp_analytics_sup_known(L, u);       /* analytics know it from the start */
  return 1;
}

/* new_dynamic(opts, parent) -> machine | nil, error term (Elixir's checks:
** strategy, intensity, period, max_children, extra_arguments). */
int lsup_new_dynamic(lua_State *L) {
  otp_pid parent;
  sup_ud *u = new_ud(L, "supervisor_core.new_dynamic", "an options table", &parent);
  u->dynamic = 1;
  static const char *const names[] = {"strategy", "intensity", "period", "max_children",
                                      "extra_arguments"};
  int base = push_fields(L, 2, names, 5);
  otp_dynsup_flags f = {OTP_DEFAULT_INTENSITY, OTP_DEFAULT_PERIOD, OTP_DYNSUP_INFINITY};
  otp_raw r = lsup_raw_of(L, base);
  const char *tag = NULL, *hint = NULL;
  int bad = 0;
  if (r.kind != OTP_RAW_ABSENT && !(r.kind == OTP_RAW_STRING && strcmp(r.s, "one_for_one") == 0)) {
    tag = "invalid_strategy", bad = base;
    hint = "a dynamic supervisor's strategy can only be \"one_for_one\"";
  }
  r = lsup_raw_of(L, base + 1);
  if (!tag && r.kind != OTP_RAW_ABSENT) {
    if (r.kind != OTP_RAW_INTEGER || r.i < 0 || r.i > INT32_MAX)
      tag = "invalid_intensity", bad = base + 1, hint = otp_flags_hint(OTP_FLAGS_BAD_INTENSITY);
    else f.intensity = (int)r.i;
  }
  r = lsup_raw_of(L, base + 2);
  if (!tag && r.kind != OTP_RAW_ABSENT) {
    if (r.kind != OTP_RAW_INTEGER || r.i <= 0 || r.i > INT32_MAX)
      tag = "invalid_period", bad = base + 2, hint = otp_flags_hint(OTP_FLAGS_BAD_PERIOD);
    else f.period = (int)r.i;
  }
  r = lsup_raw_of(L, base + 3);
  if (!tag && r.kind != OTP_RAW_ABSENT && !(r.kind == OTP_RAW_STRING && strcmp(r.s, "infinity") == 0)) {
    if (r.kind != OTP_RAW_INTEGER || r.i < 0)
      tag = "invalid_max_children", bad = base + 3,
      hint = "max_children must be \"infinity\" or an integer >= 0";
    else f.max_children = r.i;
  }
  if (!tag && !lua_isnil(L, base + 4) && !lua_istable(L, base + 4))
    tag = "invalid_extra_arguments", bad = base + 4,
    hint = "extra_arguments must be a list of values passed first to every start function";
  if (tag) {
    lsup_push_pair(L, tag, bad);
    return init_error(L, u, "supervisor_data", hint, bad);
  }
  if (lua_istable(L, base + 4)) {
    lua_pushvalue(L, base + 4);
    lsup_set_data(L, "extra");
  }
  void *aud;
  lua_Alloc af = lua_getallocf(L, &aud);
  u->d = otp_dynsup_new(&f, parent, af, aud);
  if (!u->d) return luaL_error(L, "not enough memory");
  lua_settop(L, 1);
  otp_analytics_sup_known(L, u);
  return 1;
}

int lsup_gc(lua_State *L) {
  sup_ud *u = lsup_check_ud(L);
  otp_sup_free(u->s);
  otp_dynsup_free(u->d);
  u->s = NULL;
  u->d = NULL;
  return 0;
}
