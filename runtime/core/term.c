/*
** Pids, refs and exit exceptions.
*/
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "core/term.h"
#include "core/ekind.h"
#include "core/format.h"
#include "core/node.h"
#include "core/remote.h"

static const char pid_kind = 'p', ref_kind = 'r';   /* their addresses mark pids and refs */

static int pid_tostring(lua_State *L) {
  char buf[64];
  otp_pid_format_on(otp_vm_of(L)->node, ((otp_pid_ud *)lua_touserdata(L, 1))->pid, buf,
                    sizeof buf);
  lua_pushstring(L, buf);
  return 1;
}

static int ref_tostring(lua_State *L) {
  char buf[80];
  otp_ref_format(otp_vm_of(L)->node, ((otp_ref_ud *)lua_touserdata(L, 1))->id, buf,
                 sizeof buf);
  lua_pushstring(L, buf);
  return 1;
}

void otp_pid_format_on(const otp_node *node, otp_pid pid, char *buf, size_t len) {
  if (otp_is_remote(pid)) otp_remote_format(node, pid, buf, len);
  else otp_pid_format(pid, buf, len);
}

void otp_ref_format(const otp_node *node, uint64_t id, char *buf, size_t len) {
  if (otp_is_remote(id)) otp_remote_format(node, id, buf, len);
  else snprintf(buf, len, "#Ref<0.%d.%d.%d>", (int)(id >> 32) & 0xffff,
                (int)((id >> 16) & 0xffff), (int)(id & 0xffff));
}

/* The key of pid in the intern table: its serial, or (negative) the whole
** value for a pid of another node. */
static lua_Integer pid_key(otp_pid pid) {
  return otp_is_remote(pid) ? (lua_Integer)pid : (lua_Integer)otp_pid_serial(pid);
}

static int pid_lt(lua_State *L) {   /* Erlang orders pids; so do we */
  lua_pushboolean(L, otp_check_pid(L, 1) < otp_check_pid(L, 2));
  return 1;
}

static int exit_tostring(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_rawgeti(L, 1, 2);
  otp_format(L, -1, 1);
  lua_pushfstring(L, "exit: %s", lua_tostring(L, -1));
  return 1;
}

/* setmetatable by registry reference (luaL_setmetatable looks up a name). */
static void set_mt(lua_State *L, int ref) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, ref);
  lua_setmetatable(L, -2);
}

void otp_term_init(lua_State *L, otp_vm *vm) {
  luaL_newmetatable(L, OTP_PID_MT);
  vm->pid_mt = lua_topointer(L, -1);
  lua_pushvalue(L, -1);
  vm->pid_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushcfunction(L, pid_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushcfunction(L, pid_lt);
  lua_setfield(L, -2, "__lt");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);
  luaL_newmetatable(L, OTP_REF_MT);
  vm->ref_mt = lua_topointer(L, -1);
  lua_pushvalue(L, -1);
  vm->ref_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushcfunction(L, ref_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_pop(L, 1);

  /* weak-valued intern tables: serial -> pid, id -> ref */
  for (int i = 0; i < 2; i++) {
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    *(i == 0 ? &vm->pids_ref : &vm->refs_ref) = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_newtable(L);
  lua_pushcfunction(L, exit_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "otp.exit");           /* hidden: getmetatable says only this */
  lua_setfield(L, -2, "__metatable");
  vm->exit_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);
}

void otp_pid_format(otp_pid pid, char *buf, size_t len) {
  snprintf(buf, len, "<0.%" PRIu64 ".0>", otp_pid_serial(pid));
}

uint64_t otp_pid_parse_serial(const char *s) {
  if (strncmp(s, "<0.", 3) != 0) return 0;
  s += 3;
  uint64_t serial = 0;
  int digits = 0;
  for (; *s >= '0' && *s <= '9'; s++, digits++) {
    serial = serial * 10 + (uint64_t)(*s - '0');
    if (serial >> (64 - OTP_PID_SLOT_BITS)) return 0;   /* beyond 40 bits */
  }
  if (digits == 0 || strcmp(s, ".0>") != 0) return 0;
  return serial;
}

void otp_new_pid(lua_State *L, otp_pid pid) {
  otp_pid_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->kind = &pid_kind;
  u->pid = pid;
  set_mt(L, otp_vm_of(L)->pid_mt_ref);
}

void otp_intern_pid(lua_State *L, int idx, otp_pid pid) {
  otp_vm *vm = otp_vm_of(L);
  idx = lua_absindex(L, idx);
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->pids_ref);
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, pid_key(pid));
  lua_pop(L, 1);
}

void otp_push_pid(lua_State *L, otp_pid pid) {
  otp_vm *vm = otp_vm_of(L);
  otp_proc *p = otp_proc_lookup(vm->node, pid);
  if (p && p->vm == vm) {     /* the process anchors its own pid value */
    otp_proc_push_pid(L, p);
    return;
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->pids_ref);
  if (lua_rawgeti(L, -1, pid_key(pid)) == LUA_TNIL) {
    lua_pop(L, 1);
    otp_new_pid(L, pid);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, pid_key(pid));
  }
  lua_remove(L, -2);
}

/* The block of the value at idx if it is a full userdata of this size
** starting with kind, else NULL. (lua_touserdata is NULL for what is not a
** userdata, lua_rawlen 0 for a light one: two calls, no metatable lookup.) */
static void *term_block(lua_State *L, int idx, const void *kind, size_t size) {
  const void **u = lua_touserdata(L, idx);
  return u && lua_rawlen(L, idx) == size && *u == kind ? u : NULL;
}

otp_pid otp_to_pid(lua_State *L, int idx) {
  otp_pid_ud *u = term_block(L, idx, &pid_kind, sizeof *u);
  return u ? u->pid : OTP_PID_NONE;
}

otp_pid otp_check_pid(lua_State *L, int idx) {
  otp_pid pid = otp_to_pid(L, idx);
  if (!pid) otp_raise(L, "badarg: expected a pid, got %s", luaL_typename(L, idx));
  return pid;
}

uint64_t otp_new_ref(lua_State *L, int interned) {
  otp_vm *vm = otp_vm_of(L);
  uint64_t id = ++vm->node->next_ref;
  otp_ref_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
  u->kind = &ref_kind;
  u->id = id;
  u->alias = OTP_PID_NONE;
  set_mt(L, otp_vm_of(L)->ref_mt_ref);
  if (interned) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, vm->refs_ref);
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, (lua_Integer)id);
    lua_pop(L, 1);
  }
  return id;
}

void otp_push_ref(lua_State *L, uint64_t id) {
  otp_vm *vm = otp_vm_of(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->refs_ref);
  if (lua_rawgeti(L, -1, (lua_Integer)id) == LUA_TNIL) {
    lua_pop(L, 1);
    otp_ref_ud *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->kind = &ref_kind;
    u->id = id;
    u->alias = OTP_PID_NONE;
    set_mt(L, otp_vm_of(L)->ref_mt_ref);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, (lua_Integer)id);
  }
  lua_remove(L, -2);
}

void otp_intern_ref(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->refs_ref);
  lua_pushvalue(L, idx);
  lua_rawseti(L, -2, (lua_Integer)otp_to_ref(L, idx));
  lua_pop(L, 1);
}

otp_ref_ud *otp_to_ref_ud(lua_State *L, int idx) {
  return term_block(L, idx, &ref_kind, sizeof(otp_ref_ud));
}

uint64_t otp_to_ref(lua_State *L, int idx) {
  otp_ref_ud *u = otp_to_ref_ud(L, idx);
  return u ? u->id : 0;
}

int otp_is_term_udata(lua_State *L, int idx) {
  const void **u = lua_touserdata(L, idx);
  if (!u) return 0;
  size_t n = lua_rawlen(L, idx);
  return (n == sizeof(otp_pid_ud) && *u == &pid_kind) ||
         (n == sizeof(otp_ref_ud) && *u == &ref_kind) ||
         otp_ekind_of(L, idx) != OTP_EK_NONE;   /* binaries, charlists, bigints */
}

int otp_raise_exit(lua_State *L, int reason_idx) {
  otp_vm *vm = otp_vm_of(L);
  reason_idx = lua_absindex(L, reason_idx);
  lua_createtable(L, 2, 0);
  lua_pushliteral(L, "EXIT");
  lua_rawseti(L, -2, 1);
  lua_pushvalue(L, reason_idx);
  lua_rawseti(L, -2, 2);
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->exit_mt_ref);
  lua_setmetatable(L, -2);
  return lua_error(L);
}

int otp_is_exit_exception(lua_State *L, int idx) {
  if (!lua_istable(L, idx) || !lua_getmetatable(L, idx)) return 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, otp_vm_of(L)->exit_mt_ref);
  int yes = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return yes;
}

int otp_raise(lua_State *L, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  const char *msg = lua_pushvfstring(L, fmt, ap);
  va_end(ap);
  luaL_where(L, 1);                   /* "file:line: " or "" */
  size_t n;
  const char *where = lua_tolstring(L, -1, &n);
  if (n > 2) {
    lua_pushlstring(L, where, n - 2);
    lua_pushfstring(L, "%s (at %s)", msg, lua_tostring(L, -1));
  } else {
    lua_pushstring(L, msg);
  }
  return lua_error(L);
}

void otp_setmetatable_inert(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  int mt = lua_gettop(L);
  lua_pushliteral(L, "__gc");
  if (lua_rawget(L, mt) == LUA_TNIL) {
    lua_pop(L, 1);
    lua_setmetatable(L, idx);
    return;
  }
  lua_pushliteral(L, "__gc");           /* hide it while the object is marked */
  lua_pushnil(L);
  lua_rawset(L, mt);
  lua_pushvalue(L, mt);
  lua_setmetatable(L, idx);
  lua_pushliteral(L, "__gc");           /* mt.__gc = the saved value */
  lua_insert(L, -2);
  lua_rawset(L, mt);
  lua_pop(L, 1);
}
