/*
** otp.sandbox_core: the C half of otp.sandbox (lua/otp/sandbox.lua), in the
** main state only: a sandbox cannot make or reach other sandboxes.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/size.h"
#include "core/env.h"
#include "core/node.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/term.h"
#include "core/xcopy.h"
#include "sandbox/sandbox.h"
#include "trace/trace.h"

static otp_sandbox *check_sandbox(lua_State *L, int idx, const char *fname) {
  const char *name = otp_arg_string(L, idx, fname);
  otp_sandbox *sb = otp_sandbox_find(otp_node_of(L), name);
  if (!sb) otp_raise(L, "noproc: there is no sandbox named '%s' (otp.sandbox.list() "
                     "shows them)", name);
  return sb;
}

static uint64_t opt_size(lua_State *L, int t, const char *key, const char *what) {
  uint64_t v = 0;
  if (lua_getfield(L, t, key) != LUA_TNIL) {
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) <= 0)
      otp_raise(L, "badarg: sandbox option %s must be a positive integer (%s), got %s",
                key, what, luaL_tolstring(L, -1, NULL));
    v = (uint64_t)lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  return v;
}

static unsigned opt_allow(lua_State *L, int t) {
  unsigned allow = 0;
  if (lua_getfield(L, t, "allow") == LUA_TNIL) {
    lua_pop(L, 1);
    return 0;
  }
  if (!lua_istable(L, -1))
    otp_raise(L, "badarg: sandbox option allow must be a list of library names, "
              "such as {\"io\", \"os\"}");
  for (lua_Integer i = 1; lua_rawgeti(L, -1, i) != LUA_TNIL; i++) {
    const char *lib = lua_tostring(L, -1);
    if (lib && strcmp(lib, "io") == 0) allow |= OTP_VM_ALLOW_IO;
    else if (lib && strcmp(lib, "os") == 0) allow |= OTP_VM_ALLOW_OS;
    else
      otp_raise(L, "badarg: a sandbox can be allowed \"io\" or \"os\", not %s "
                "(debug, C modules and binary chunks are never available)",
                luaL_tolstring(L, -1, NULL));
    lua_pop(L, 1);
  }
  lua_pop(L, 2);
  return allow;
}

static void trace_sandbox(lua_State *L, otp_trace_kind kind, int name_idx) {
  otp_node *node = otp_node_of(L);
  if (!otp_trace_on(node, kind)) return;
  otp_trace_info info = {.pid = node->current ? node->current->pid : OTP_PID_NONE,
                         .L = L, .name = lua_absindex(L, name_idx)};
  otp_trace_emit(node, kind, &info);
}

/* open(name, opts) -> true | nil, "already_exists" */
static int l_open(lua_State *L) {
  const char *name = otp_arg_string(L, 1, "otp.sandbox.create");
  if (!*name) return otp_raise(L, "badarg: a sandbox needs a non-empty name");
  if (lua_isnoneornil(L, 2)) lua_newtable(L);
  otp_arg_type(L, 2, LUA_TTABLE, "otp.sandbox.create(name, opts)", "an options table");
  static const char *const known[] = {"start", "max_processes", "max_memory",
                                      "max_reductions", "max_timers", "allow", NULL};
  for (lua_pushnil(L); lua_next(L, 2); lua_pop(L, 1)) {
    int ok = 0;
    for (int i = 0; known[i] && lua_type(L, -2) == LUA_TSTRING; i++)
      ok |= strcmp(known[i], lua_tostring(L, -2)) == 0;
    if (!ok)
      return otp_raise(L, "badarg: otp.sandbox.create has no option %s (options: start, "
                        "max_processes, max_memory, max_reductions, max_timers, allow)",
                        luaL_tolstring(L, -2, NULL));
  }
  otp_sandbox_limits lim = {0};
  lim.max_processes = (uint32_t)opt_size(L, 2, "max_processes", "processes at once");
  if (lua_getfield(L, 2, "max_memory") != LUA_TNIL)
    lim.max_memory = (size_t)otp_check_size(L, -1, "sandbox option max_memory",
                                            OTP_MIN_SANDBOX_MEMORY);
  lua_pop(L, 1);
  lim.max_reductions = opt_size(L, 2, "max_reductions", "reductions per process per second");
  uint64_t timers = opt_size(L, 2, "max_timers", "pending timers at once");
  if (timers > INT32_MAX)
    return otp_raise(L, "badarg: sandbox option max_timers must be at most %d, got %I",
                     (int)INT32_MAX, (lua_Integer)timers);
  lim.max_timers = (uint32_t)timers;
  lim.allow = opt_allow(L, 2);
  char err[160];
  if (!otp_sandbox_create(otp_node_of(L), name, &lim, err, sizeof err)) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  trace_sandbox(L, OTP_EV_SANDBOX_CREATE, 1);
  lua_pushboolean(L, 1);
  return 1;
}

/* reopen(name): a fresh state, the same limits, one more restart. */
static int l_reopen(lua_State *L) {
  otp_sandbox *sb = check_sandbox(L, 1, "otp.sandbox.restart");
  char err[160];
  if (otp_sandbox_reopen(sb, err, sizeof err) != 0)
    return otp_raise(L, "limit: cannot restart sandbox '%s': %s", sb->name, err);
  trace_sandbox(L, OTP_EV_SANDBOX_RESTART, 1);
  lua_pushboolean(L, 1);
  return 1;
}

static int l_destroy(lua_State *L) {
  otp_sandbox *sb = check_sandbox(L, 1, "otp.sandbox.destroy");
  if (otp_self(L)->vm == &sb->vm)
    return otp_raise(L, "badarg: a sandbox cannot destroy itself");
  otp_sandbox_destroy(sb);
  trace_sandbox(L, OTP_EV_SANDBOX_DESTROY, 1);
  lua_pushboolean(L, 1);
  return 1;
}

typedef struct spawn_job {
  otp_node *node;
  const otp_xbuf *code;
  otp_pid parent;
  otp_proc *p;
} spawn_job;

/* (job, args|nil, terms|nil): the process, and its function and arguments
** decoded into it with its globals as their _ENV (and terms as the array of
** their pids and refs, otp_xdecode_with), then the elements of args. */
static int spawn_in(lua_State *T) {
  spawn_job *j = lua_touserdata(T, 1);
  otp_proc *p = otp_proc_new(j->node, T, j->parent);
  if (!p) return luaL_error(T, "limit: the process table is full");
  j->p = p;
  otp_proc_push_env(T, p);
  otp_charge_state cs = otp_charge_receiver(j->node, p);
  int status = otp_xdecode_with(T, j->code, 4, lua_istable(T, 3) ? 3 : 0);
  otp_charge_restore(j->node, cs);
  if (status != LUA_OK) return lua_error(T);
  if (lua_gettop(T) < 5 || !lua_isfunction(T, 5))
    return luaL_error(T, "badarg: the spawn holds no function");
  if (lua_istable(T, 2)) {
    lua_Integer n = (lua_Integer)lua_rawlen(T, 2);
    luaL_checkstack(T, (int)n, "too many arguments");
    for (lua_Integer i = 1; i <= n; i++) lua_rawgeti(T, 2, i);
  }
  lua_xmove(T, p->co, lua_gettop(T) - 4);
  return 0;
}

int otp_spawn_decoded(lua_State *T, const otp_xbuf *code, otp_pid parent, int args,
                      int terms, otp_proc **out) {
  spawn_job j = {otp_node_of(T), code, parent, NULL};
  if (args) args = lua_absindex(T, args);
  if (terms) terms = lua_absindex(T, terms);
  lua_pushcfunction(T, spawn_in);
  lua_pushlightuserdata(T, &j);
  if (args) lua_pushvalue(T, args);
  else lua_pushnil(T);
  if (terms) lua_pushvalue(T, terms);
  else lua_pushnil(T);
  int status = lua_pcall(T, 3, 0, 0);
  if (status != LUA_OK && j.p) {
    otp_proc_discard(j.node, j.p);
    j.p = NULL;
  }
  *out = j.p;
  return status;
}

int otp_sandbox_refuse_spawn(lua_State *L, const otp_vm *vm) {
  otp_sandbox *sb = vm->sandbox;
  otp_node *node = otp_node_of(L);
  sb->vm.limit_kills++;
  if (otp_trace_on(node, OTP_EV_LIMIT_KILLED) && node->current) {
    lua_pushstring(L, sb->name);
    otp_trace_info info = {.pid = node->current->pid, .L = L, .name = lua_gettop(L),
                           .text = "the sandbox's max_processes"};
    otp_trace_emit(node, OTP_EV_LIMIT_KILLED, &info);
  }
  return otp_raise(L, "limit: sandbox '%s' allows at most %d processes at once "
                   "(max_processes); this spawn was refused", sb->name,
                   (int)sb->limits.max_processes);
}

int otp_sandbox_spawn(lua_State *L, otp_sandbox *sb, int fidx, int nargs, int link,
                      int monitor) {
  otp_proc *self = otp_self(L);
  otp_arg_type(L, fidx, LUA_TFUNCTION, "otp.sandbox.spawn", "a function to run");
  if (!sb->vm.L) return otp_raise(L, "noproc: sandbox '%s' is not running", sb->name);
  if (otp_sandbox_admit(&sb->vm)) return otp_sandbox_refuse_spawn(L, &sb->vm);
  otp_xbuf *code = otp_xencode(L, fidx, nargs + 1, OTP_COPY_SPAWN, "the spawned function");
  lua_State *T = sb->vm.L;
  int top = lua_gettop(T);
  otp_proc *p;
  int status = otp_spawn_decoded(T, code, self->pid, 0, 0, &p);
  otp_xbuf_free(code);
  if (status != LUA_OK) {
    lua_pushstring(L, lua_isstring(T, -1) ? lua_tostring(T, -1) : "cannot spawn");
    lua_settop(T, top);
    return lua_error(L);
  }
  lua_settop(T, top);
  return otp_spawn_finish(L, self, p, link, monitor);
}

/* spawn(name, opts, fn, ...) -> pid[, ref]; opts: link, monitor */
static int l_spawn(lua_State *L) {
  otp_sandbox *sb = check_sandbox(L, 1, "otp.sandbox.spawn");
  int link = 0, monitor = 0;
  if (lua_istable(L, 2)) {
    link = lua_getfield(L, 2, "link") != LUA_TNIL && lua_toboolean(L, -1);
    monitor = lua_getfield(L, 2, "monitor") != LUA_TNIL && lua_toboolean(L, -1);
    lua_pop(L, 2);
  }
  return otp_sandbox_spawn(L, sb, 3, lua_gettop(L) - 3, link, monitor);
}

static int l_set_root(lua_State *L) {
  otp_sandbox *sb = check_sandbox(L, 1, "otp.sandbox");
  sb->root = otp_check_pid(L, 2);
  return 0;
}

/* The sandbox's root process while it lives, else nil. */
static void push_root(lua_State *L, const otp_sandbox *sb) {
  if (sb->root && otp_proc_get(otp_node_of(L), sb->root)) otp_push_pid(L, sb->root);
  else lua_pushnil(L);
}

static int l_root(lua_State *L) {
  push_root(L, check_sandbox(L, 1, "otp.sandbox"));
  return 1;
}

static void set_int(lua_State *L, const char *key, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, key);
}

/* info(name) -> {name, processes, memory, timers, limits, limit_kills, restarts,
** uptime_ms, root} */
static int l_info(lua_State *L) {
  otp_sandbox *sb = check_sandbox(L, 1, "otp.sandbox.info");
  lua_createtable(L, 0, 9);
  lua_pushstring(L, sb->name);
  lua_setfield(L, -2, "name");
  set_int(L, "processes", sb->vm.nprocs);
  set_int(L, "memory", sb->vm.mem_total);
  set_int(L, "timers", sb->vm.timers_pending);
  set_int(L, "limit_kills", sb->limit_kills + sb->vm.limit_kills);
  set_int(L, "restarts", sb->restarts);
  set_int(L, "uptime_ms", (otp_now_ns() - sb->opened_ns) / 1000000u);
  lua_createtable(L, 0, 5);
  if (sb->limits.max_processes) set_int(L, "max_processes", sb->limits.max_processes);
  if (sb->limits.max_memory) set_int(L, "max_memory", sb->limits.max_memory);
  if (sb->limits.max_reductions) set_int(L, "max_reductions", sb->limits.max_reductions);
  if (sb->limits.max_timers) set_int(L, "max_timers", sb->limits.max_timers);
  lua_setfield(L, -2, "limits");
  push_root(L, sb);
  lua_setfield(L, -2, "root");
  return 1;
}

static int l_list(lua_State *L) {
  lua_newtable(L);
  lua_Integer n = 0;
  for (otp_sandbox *sb = otp_node_of(L)->sandboxes; sb; sb = sb->next) {
    lua_pushstring(L, sb->name);
    lua_rawseti(L, -2, ++n);
  }
  otp_sort_list(L);
  return 1;
}

/* The sandbox a process lives in, by name (nil for the main state). */
void otp_sandbox_push_name(lua_State *L, const otp_proc *p) {
  if (p->vm->sandbox) lua_pushstring(L, p->vm->sandbox->name);
  else lua_pushnil(L);
}

static const luaL_Reg funcs[] = {
  {"open", l_open},       {"reopen", l_reopen}, {"destroy", l_destroy},
  {"spawn", l_spawn},     {"set_root", l_set_root}, {"root", l_root},
  {"info", l_info},       {"list", l_list},     {NULL, NULL}
};

void otp_sandbox_core_register(lua_State *L) {
  if (otp_vm_of(L)->sandbox) return;
  lua_newtable(L);
  luaL_setfuncs(L, funcs, 0);
  otp_env_readonly(L, -1);
  lua_setfield(L, -3, "sandbox_core");
  lua_pop(L, 1);
}
