/*
** otp.spawn, spawn_link, spawn_monitor, spawn_opt.
** The body function and its arguments are copied into the new process
** (functions are cloned with their own upvalues) inside a protected call, so
** a value that cannot be copied raises badarg and leaves no half-made process.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/size.h"
#include "core/copy.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/signal.h"
#include "core/term.h"
#include "sandbox/sandbox.h"

typedef struct spawn_opts {
  int link, monitor, trap_exit;
  size_t max_heap;
  int name;            /* stack index of the name to register, or 0 */
} spawn_opts;

/* (p, fn, args...): copies fn and args into p's coroutine. */
static int copy_in(lua_State *L) {
  otp_proc *p = lua_touserdata(L, 1);
  int n = lua_gettop(L);
  lua_pushnil(L);                   /* p's globals, made if a copy needs them */
  otp_copy_spawn(L, 2, n - 1, n + 1, p);
  lua_xmove(L, p->co, n - 1);
  return 0;
}

/* A function without upvalues and arguments that are scalars, pids or refs
** are what a copy would give back as they are: the common spawn skips the
** protected copy. */
static int nothing_to_copy(lua_State *L, int fidx, int nargs) {
  if (lua_getupvalue(L, fidx, 1)) {
    lua_pop(L, 1);
    return 0;
  }
  for (int i = 1; i <= nargs; i++) {
    switch (lua_type(L, fidx + i)) {
      case LUA_TNIL: case LUA_TBOOLEAN: case LUA_TNUMBER: case LUA_TSTRING: break;
      case LUA_TUSERDATA:
        if (otp_is_term_udata(L, fidx + i)) break;
        return 0;
      default: return 0;
    }
  }
  return 1;
}

int otp_spawn_finish(lua_State *L, otp_proc *self, otp_proc *p, int link, int monitor) {
  otp_node *node = otp_node_of(L);
  if (link) otp_link(node, self, p);
  otp_proc_start(node, p);
  otp_proc_push_pid(L, p);
  if (!monitor) return 1;
  uint64_t ref = otp_monitor_add(node, L, self, p, 0);
  self->has_marker = 1;                /* a receive on this ref skips older messages */
  self->marker = self->mq_tail;
  self->marker_ref = ref;
  return 2;
}

/* Spawns fn (at fidx) with the nargs values after it. Pushes the pid, and
** the monitor ref if asked; returns the number of values pushed. */
static int spawn(lua_State *L, int fidx, int nargs, const spawn_opts *o) {
  otp_node *node = otp_node_of(L);
  otp_proc *self = otp_self(L);
  otp_arg_type(L, fidx, LUA_TFUNCTION, "otp.spawn", "a function to run");
  if (o->name) {
    otp_arg_type(L, o->name, LUA_TSTRING, "spawn_opt's name option", "a string");
    if (otp_registry_find(node, L, o->name))
      return otp_raise(L, "badarg: the name '%s' is already registered",
                        lua_tostring(L, o->name));
  }
  if (otp_sandbox_admit(otp_vm_of(L))) return otp_sandbox_refuse_spawn(L, otp_vm_of(L));
  otp_proc *p = otp_proc_new(node, L, self->pid);
  if (!p) return otp_raise(L, "limit: the process table is full (%d processes)",
                            (int)node->nprocs);
  if (o->max_heap) p->max_heap = o->max_heap;
  p->trap_exit = (uint8_t)o->trap_exit;
  if (nothing_to_copy(L, fidx, nargs) && lua_checkstack(p->co, nargs + 1)) {
    for (int i = 0; i <= nargs; i++) lua_pushvalue(L, fidx + i);
    lua_xmove(L, p->co, nargs + 1);
  } else {
    lua_pushcfunction(L, copy_in);
    lua_pushlightuserdata(L, p);
    lua_pushvalue(L, fidx);
    for (int i = 1; i <= nargs; i++) lua_pushvalue(L, fidx + i);
    otp_charge_state cs = otp_charge_receiver(node, p);
    int status = lua_pcall(L, nargs + 2, 0, 0);
    otp_charge_restore(node, cs);
    if (status != LUA_OK) {
      otp_proc_discard(node, p);
      return lua_error(L);
    }
  }
  if (o->name) otp_registry_add(node, L, o->name, p);
  return otp_spawn_finish(L, self, p, o->link, o->monitor);
}

static int l_spawn(lua_State *L) {
  spawn_opts o = {0};
  return spawn(L, 1, lua_gettop(L) - 1, &o);
}

static int l_spawn_link(lua_State *L) {
  spawn_opts o = {.link = 1};
  return spawn(L, 1, lua_gettop(L) - 1, &o);
}

static int l_spawn_monitor(lua_State *L) {
  spawn_opts o = {.monitor = 1};
  return spawn(L, 1, lua_gettop(L) - 1, &o);
}

static int opt_flag(lua_State *L, int t, const char *key) {
  int v = lua_getfield(L, t, key) != LUA_TNIL && lua_toboolean(L, -1);
  lua_pop(L, 1);
  return v;
}

/* spawn_opt(fn, opts, ...) */
static int l_spawn_opt(lua_State *L) {
  otp_arg_type(L, 2, LUA_TTABLE, "otp.spawn_opt(fn, opts, ...)", "an options table");
  static const char *const known[] = {"link", "monitor", "name", "trap_exit",
                                      "max_heap", "sandbox", NULL};
  lua_pushnil(L);
  while (lua_next(L, 2)) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (int i = 0; known[i]; i++) ok |= strcmp(known[i], lua_tostring(L, -1)) == 0;
    if (!ok)
      return otp_raise(L, "badarg: unknown spawn_opt option '%s' (known: link, "
                        "monitor, name, trap_exit, max_heap, sandbox)",
                        luaL_tolstring(L, -1, NULL));
  }
  int nargs = lua_gettop(L) - 2;
  spawn_opts o = {0};
  o.link = opt_flag(L, 2, "link");
  o.monitor = opt_flag(L, 2, "monitor");
  o.trap_exit = opt_flag(L, 2, "trap_exit");
  if (lua_getfield(L, 2, "max_heap") != LUA_TNIL) {
    o.max_heap = (size_t)otp_check_size(L, -1, "spawn_opt option max_heap", OTP_MIN_PROCESS_HEAP);
  }
  lua_pop(L, 1);
  otp_sandbox *sb = NULL;
  otp_sandbox *own = otp_vm_of(L)->sandbox;
  if (lua_getfield(L, 2, "sandbox") != LUA_TNIL && own) {
    /* a sandbox is a wall: its processes spawn only into it, and whether
    ** another sandbox exists is not theirs to learn */
    const char *name = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    if (!name || strcmp(name, own->name) != 0)
      return otp_raise(L, "badarg: spawn_opt inside sandbox '%s' can only spawn into '%s' "
                        "itself (a sandbox's processes stay in their sandbox), got sandbox = %s",
                        own->name, own->name, luaL_tolstring(L, -1, NULL));
  } else if (lua_type(L, -1) != LUA_TNIL) {
    const char *name = lua_tostring(L, -1);
    sb = name ? otp_sandbox_find(otp_node_of(L), name) : NULL;
    if (!sb)
      return otp_raise(L, "badarg: spawn_opt's sandbox option names no sandbox (%s); "
                        "create it with otp.sandbox.create", luaL_tolstring(L, -1, NULL));
    otp_sandbox *own = otp_vm_of(L)->sandbox;
    if (own && sb != own)      /* a sandbox is a wall: no way into another one */
      return otp_raise(L, "badarg: code in sandbox '%s' can only spawn into its own "
                       "sandbox, not into '%s'", own->name, sb->name);
    if (sb == own) sb = NULL;  /* its own: an ordinary spawn */
    else if (o.trap_exit || o.max_heap || opt_flag(L, 2, "name"))
      return otp_raise(L, "badarg: spawn_opt into a sandbox takes link and monitor only");
  }
  lua_pop(L, 1);
  if (!sb && lua_getfield(L, 2, "name") != LUA_TNIL) o.name = lua_gettop(L);
  lua_pushvalue(L, 1);      /* fn next to its arguments: fn, fn, args... */
  lua_replace(L, 2);
  if (sb) return otp_sandbox_spawn(L, sb, 2, nargs, o.link, o.monitor);
  return spawn(L, 2, nargs, &o);
}

const luaL_Reg otp_spawn_funcs[] = {
  {"spawn", l_spawn},
  {"spawn_link", l_spawn_link},
  {"spawn_monitor", l_spawn_monitor},
  {"spawn_opt", l_spawn_opt},
  {NULL, NULL}
};
