/*
** otp.supervisor_core, child specs: reading them from Lua tables (the raw
** description otp/childspec.h checks), OTP's error terms for them, and the
** children's records in the machine's uservalue (see lsupervisor.c).
*/
#include <string.h>
#include "lua/lsupervisor.h"

static void push_strings2(lua_State *L, const char *a, const char *b) {
  lua_createtable(L, 2, 0);
  lua_pushstring(L, a);
  lua_rawseti(L, -2, 1);
  lua_pushstring(L, b);
  lua_rawseti(L, -2, 2);
}

static const char *const spec_fields[F_MODULES + 1] = {
  "id", "start", "restart", "shutdown", "type", "significant", "modules"
};

otp_raw lsup_raw_of(lua_State *L, int idx) {
  otp_raw r = {OTP_RAW_OTHER, NULL, 0};
  switch (lua_type(L, idx)) {
    case LUA_TNIL: r.kind = OTP_RAW_ABSENT; break;
    case LUA_TSTRING: r.kind = OTP_RAW_STRING; r.s = lua_tostring(L, idx); break;
    case LUA_TBOOLEAN: r.kind = OTP_RAW_BOOLEAN; r.i = lua_toboolean(L, idx); break;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        r.kind = OTP_RAW_INTEGER;
        r.i = (int64_t)lua_tointeger(L, idx);
      }
      break;
  }
  return r;
}

/* Pushes the F_COUNT fields of the spec at idx and describes them in raw;
** returns the stack index of the first. */
int lsup_read_spec(lua_State *L, int spec, otp_raw_spec *raw) {
  spec = lua_absindex(L, spec);
  luaL_checkstack(L, F_COUNT + 4, "reading a child spec");
  int base = lua_gettop(L) + 1;
  memset(raw, 0, sizeof *raw);
  raw->is_table = lua_istable(L, spec);
  for (int i = 0; i <= F_MODULES; i++) {
    if (raw->is_table) lua_getfield(L, spec, spec_fields[i]);
    else lua_pushnil(L);
  }
  lua_pushnil(L);                                  /* F_BADMOD */
  int id = base + F_ID;
  switch (lua_type(L, id)) {
    case LUA_TNIL: raw->id.kind = OTP_RAW_ABSENT; break;
    case LUA_TSTRING: case LUA_TBOOLEAN: raw->id.kind = OTP_RAW_STRING; break;
    case LUA_TNUMBER:
      raw->id.kind = lua_tonumber(L, id) == lua_tonumber(L, id) ? OTP_RAW_STRING : OTP_RAW_OTHER;
      break;
    default: raw->id.kind = OTP_RAW_OTHER; break;
  }
  int start = base + F_START;
  if (lua_isnil(L, start)) raw->start = 0;
  else if (lua_istable(L, start)) {
    int t = lua_rawgeti(L, start, 1);
    raw->start = t == LUA_TFUNCTION || t == LUA_TTABLE ? 1 : -1;
    lua_pop(L, 1);
  } else raw->start = -1;
  raw->restart = lsup_raw_of(L, base + F_RESTART);
  raw->shutdown = lsup_raw_of(L, base + F_SHUTDOWN);
  raw->type = lsup_raw_of(L, base + F_TYPE);
  raw->significant = lsup_raw_of(L, base + F_SIGNIFICANT);
  int mods = base + F_MODULES;
  if (lua_isnil(L, mods)) raw->modules = OTP_MODS_ABSENT;
  else if (lua_type(L, mods) == LUA_TSTRING)
    raw->modules = strcmp(lua_tostring(L, mods), "dynamic") == 0 ? OTP_MODS_DYNAMIC : OTP_MODS_OTHER;
  else if (lua_istable(L, mods)) {
    raw->modules = OTP_MODS_LIST;
    lua_Integer n = (lua_Integer)lua_rawlen(L, mods);
    for (lua_Integer i = 1; i <= n; i++) {
      if (lua_rawgeti(L, mods, i) != LUA_TSTRING) {
        raw->modules = OTP_MODS_BAD_ELEMENT;
        lua_replace(L, base + F_BADMOD);
        break;
      }
      lua_pop(L, 1);
    }
  } else raw->modules = OTP_MODS_OTHER;
  return base;
}

/* The stack index of the value an error is about. */
int lsup_error_value(otp_spec_err err, int spec, int base) {
  switch (err) {
    case OTP_SPEC_NOT_A_TABLE: return spec;
    case OTP_SPEC_BAD_ID: return base + F_ID;
    case OTP_SPEC_BAD_START: return base + F_START;
    case OTP_SPEC_BAD_RESTART: return base + F_RESTART;
    case OTP_SPEC_BAD_SIGNIFICANT: return base + F_SIGNIFICANT;
    case OTP_SPEC_BAD_TYPE: return base + F_TYPE;
    case OTP_SPEC_BAD_SHUTDOWN: return base + F_SHUTDOWN;
    case OTP_SPEC_BAD_MODULES: return base + F_MODULES;
    case OTP_SPEC_BAD_MODULE: return base + F_BADMOD;
    default: return 0;
  }
}

/* Pushes OTP's term for a child spec error. */
void lsup_push_spec_error(lua_State *L, otp_spec_err err, int spec, int base) {
  switch (err) {
    case OTP_SPEC_MISSING_ID: lua_pushliteral(L, "missing_id"); return;
    case OTP_SPEC_MISSING_START: lua_pushliteral(L, "missing_start"); return;
    case OTP_SPEC_SIGNIFICANT_NEVER:
    case OTP_SPEC_SIGNIFICANT_PERMANENT:
      lua_createtable(L, 2, 0);
      lua_pushliteral(L, "bad_combination");
      lua_rawseti(L, -2, 1);
      lua_createtable(L, 2, 0);
      if (err == OTP_SPEC_SIGNIFICANT_NEVER) push_strings2(L, "auto_shutdown", "never");
      else push_strings2(L, "restart", "permanent");
      lua_rawseti(L, -2, 1);
      lua_createtable(L, 2, 0);
      lua_pushliteral(L, "significant");
      lua_rawseti(L, -2, 1);
      lua_pushboolean(L, 1);
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, -2, 2);
      return;
    default:
      lsup_push_pair(L, otp_spec_err_tag(err), lsup_error_value(err, spec, base));
      return;
  }
}

/* Pushes the default modules of a start {fn_or_module, ...}: {name} when the
** start names a module loaded with require, else {}. */
static void push_default_modules(lua_State *L, int start) {
  lua_newtable(L);
  int list = lua_gettop(L);
  if (lua_rawgeti(L, start, 1) != LUA_TTABLE) {
    lua_settop(L, list);
    return;
  }
  /* require hands out read-only proxies: the module is the proxy's __index */
  if (lua_getmetatable(L, -1)) {
    if (lua_istable(L, -1) && (lua_pushliteral(L, "__index"), lua_rawget(L, -2)) == LUA_TTABLE)
      lua_replace(L, list + 1);
    lua_settop(L, list + 1);
  }
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    int found = lua_type(L, -2) == LUA_TSTRING && lua_rawequal(L, -1, list + 1);
    lua_pop(L, 1);
    if (found) {
      lua_pushvalue(L, -1);
      lua_rawseti(L, list, 1);
      break;
    }
  }
  lua_settop(L, list);
}

/* Pushes the normalized spec (OTP's child_to_spec): every field given. */
static void push_normalized(lua_State *L, const otp_child_spec *c, int base, int with_id) {
  lua_createtable(L, 0, 7);
  if (with_id) {
    lua_pushvalue(L, base + F_ID);
    lua_setfield(L, -2, "id");
  }
  lua_pushvalue(L, base + F_START);
  lua_setfield(L, -2, "start");
  lua_pushstring(L, otp_restart_name(c->restart));
  lua_setfield(L, -2, "restart");
  lsup_push_shutdown(L, c->shutdown);
  lua_setfield(L, -2, "shutdown");
  lua_pushstring(L, otp_child_type_name(c->type));
  lua_setfield(L, -2, "type");
  lua_pushboolean(L, c->significant);
  lua_setfield(L, -2, "significant");
  if (lua_isnil(L, base + F_MODULES)) push_default_modules(L, base + F_START);
  else lua_pushvalue(L, base + F_MODULES);
  lua_setfield(L, -2, "modules");
}

/* Stores a new child's record under a fresh key; returns the key. */
uint64_t lsup_store_child(lua_State *L, sup_ud *u, const otp_child_spec *c, int base,
                          int with_id) {
  uint64_t key = ++u->next_key;
  lsup_push_data(L, "keys");
  lua_createtable(L, 0, 5);
  if (with_id) {
    lua_pushvalue(L, base + F_ID);
    lua_setfield(L, -2, "id");
  }
  push_normalized(L, c, base, with_id);
  lua_setfield(L, -2, "spec");
  lua_rawseti(L, -2, (lua_Integer)key);
  lua_pop(L, 1);
  if (with_id) {
    lsup_push_data(L, "ids");
    lua_pushvalue(L, base + F_ID);
    lua_pushinteger(L, (lua_Integer)key);
    lua_rawset(L, -3);
    lua_pop(L, 1);
  }
  return key;
}

/* The key of the child whose id is at idx, or 0. */
uint64_t lsup_key_of_id(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (lua_isnil(L, idx) || (lua_type(L, idx) == LUA_TNUMBER &&
                            lua_tonumber(L, idx) != lua_tonumber(L, idx)))
    return 0;
  lsup_push_data(L, "ids");
  lua_pushvalue(L, idx);
  lua_rawget(L, -2);
  uint64_t key = (uint64_t)lua_tointeger(L, -1);
  lua_pop(L, 2);
  return key;
}

void lsup_forget(lua_State *L, uint64_t key) {
  if (lsup_push_record(L, key) == LUA_TTABLE) {
    lua_getfield(L, -1, "id");
    if (!lua_isnil(L, -1) && lsup_key_of_id(L, -1) == key) {
      lsup_push_data(L, "ids");
      lua_pushvalue(L, -2);
      lua_pushnil(L);
      lua_rawset(L, -3);
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  lsup_push_data(L, "keys");
  lua_pushnil(L);
  lua_rawseti(L, -2, (lua_Integer)key);
  lua_pop(L, 1);
}

