/*
** Process globals, shared modules and the loaders that respect them.
*/
#include <string.h>
#include <lauxlib.h>
#include <lualib.h>
#include "core/env.h"
#include "core/rand.h"
#include "core/node.h"
#include "core/term.h"

static const char proxies_key = 'p';

void otp_env_share(lua_State *L, int idx) {
  otp_vm *vm = otp_vm_of(L);
  idx = lua_absindex(L, idx);
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->shared_ref);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

static int ro_newindex(lua_State *L) {
  return otp_raise(L, "badarg: module tables are shared by every process and "
                    "cannot be changed (tried to set '%s'); keep state in a "
                    "process instead", luaL_tolstring(L, 2, NULL));
}

static int ro_next(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);       /* pairs(module) hands it out */
  lua_settop(L, 2);
  if (lua_next(L, 1)) return 2;
  lua_pushnil(L);
  return 1;
}

static int ro_pairs(lua_State *L) {
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__index");
  lua_pushcfunction(L, ro_next);
  lua_insert(L, -2);
  lua_pushnil(L);
  return 3;
}

static int ro_len(lua_State *L) {
  lua_getmetatable(L, 1);
  lua_getfield(L, -1, "__index");
  lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
  return 1;
}

static int is_readonly_view(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE || !lua_getmetatable(L, idx)) return 0;
  int ro = lua_getfield(L, -1, "__newindex") == LUA_TFUNCTION &&
           lua_tocfunction(L, -1) == ro_newindex;
  lua_pop(L, 2);
  return ro;
}

/* Marks the Lua function at idx shared, and the functions among its
** upvalues, and theirs (a module's local helpers): every process already
** calls them through the shared module, so a copy of one (into a spawn, or
** a message of spawn's kind) passes it as it is instead of cloning it with
** copies of its cells, which the module's own calls would not see. */
static void share_function(lua_State *L, int idx, int shared, int depth) {
  if (lua_iscfunction(L, idx) || depth > 64) return;
  lua_pushvalue(L, idx);
  if (lua_rawget(L, shared) != LUA_TNIL) {  /* met already */
    lua_pop(L, 1);
    return;
  }
  lua_pop(L, 1);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, shared);
  luaL_checkstack(L, 2, "sharing a module's functions");
  for (int i = 1; lua_getupvalue(L, idx, i) != NULL; i++) {
    if (lua_type(L, -1) == LUA_TFUNCTION) share_function(L, lua_gettop(L), shared, depth + 1);
    lua_pop(L, 1);
  }
}

/* The functions a module table holds, shared (see share_function). */
static void share_functions(lua_State *L, int t) {
  otp_vm *vm = otp_vm_of(L);
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->shared_ref);
  int shared = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, t)) {
    if (lua_type(L, -1) == LUA_TFUNCTION) share_function(L, lua_gettop(L), shared, 0);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

void otp_env_readonly(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  if (is_readonly_view(L, idx)) {           /* already a view: itself */
    lua_pushvalue(L, idx);
    return;
  }
  lua_rawgetp(L, LUA_REGISTRYINDEX, &proxies_key);
  lua_pushvalue(L, idx);
  if (lua_rawget(L, -2) != LUA_TNIL) {
    lua_remove(L, -2);
    return;
  }
  lua_pop(L, 1);
  lua_newtable(L);                          /* the proxy */
  lua_createtable(L, 0, 5);
  lua_pushvalue(L, idx);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ro_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, ro_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushcfunction(L, ro_len);
  lua_setfield(L, -2, "__len");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, idx);
  lua_pushvalue(L, -2);
  lua_rawset(L, -4);                        /* proxies[t] = proxy */
  lua_remove(L, -2);
  otp_env_share(L, idx);
  otp_env_share(L, -1);
  share_functions(L, idx);
}

void otp_env_push_current(lua_State *L) {
  otp_vm *vm = otp_vm_of(L);
  otp_proc *p = vm->node->current;
  if (p && p->vm == vm) otp_proc_push_env(L, p);
  else lua_rawgeti(L, LUA_REGISTRYINDEX, vm->base_ref);
}

/* Lua does not verify binary chunks: a crafted one can crash the node, so
** processes load source text only (mode "t"). */
static void text_only(lua_State *L, int mode_idx) {
  const char *mode = lua_tostring(L, mode_idx);
  if (mode && strchr(mode, 'b'))
    otp_raise(L, "badarg: otplab loads Lua source only (mode \"t\"): binary chunks "
              "are not verified and a broken one could crash every process");
  lua_pushliteral(L, "t");
  lua_replace(L, mode_idx);
}

/* Lua's parser cannot be preempted: about 20 MB of source a second, so a
** sandbox's load takes at most this much source text at once (a few ms). */
#define SANDBOX_MAX_CHUNK (64 * 1024)

static int chunk_too_big(lua_State *L) {
  luaL_pushfail(L);
  lua_pushfstring(L, "limit: a sandbox loads at most %d KB of source in one load (the "
                  "parser cannot be preempted); load the code in smaller chunks",
                  SANDBOX_MAX_CHUNK / 1024);
  return 2;
}

/* A sandbox's reader function, counted: upvalue 1 the reader, 2 the bytes so far. */
static int counted_reader(lua_State *L) {
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_call(L, 0, 1);
  if (lua_type(L, -1) == LUA_TSTRING) {
    lua_Integer total = lua_tointeger(L, lua_upvalueindex(2)) + (lua_Integer)lua_rawlen(L, -1);
    if (total > SANDBOX_MAX_CHUNK) {
      chunk_too_big(L);
      return lua_error(L);                /* load answers nil and this message */
    }
    lua_pushinteger(L, total);
    lua_replace(L, lua_upvalueindex(2));
  }
  return 1;
}

/* In a sandbox: 1 if the chunk at 1 is too big (fail and the message pushed). */
static int sandbox_chunk_check(lua_State *L) {
  if (!(otp_vm_of(L)->flags & OTP_VM_SANDBOX)) return 0;
  if (lua_type(L, 1) == LUA_TSTRING) return lua_rawlen(L, 1) > SANDBOX_MAX_CHUNK;
  if (lua_type(L, 1) == LUA_TFUNCTION) {
    lua_pushvalue(L, 1);
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, counted_reader, 2);
    lua_replace(L, 1);
  }
  return 0;
}

/* load(chunk [, chunkname [, mode [, env]]]): env defaults to the caller's globals. */
static int env_load(lua_State *L) {
  int n = lua_gettop(L);
  lua_settop(L, 4);
  text_only(L, 3);
  if (sandbox_chunk_check(L)) return chunk_too_big(L);
  if (n < 4) {
    otp_env_push_current(L);
    lua_replace(L, 4);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 4, LUA_MULTRET);
  return lua_gettop(L);
}

/* loadfile([filename [, mode [, env]]]) */
/* Without a name, loadfile and dofile read standard input: a blocking read
** that would hold the whole node. */
static void need_file_name(lua_State *L, const char *fname) {
  if (!lua_isstring(L, 1))
    otp_raise(L, "badarg: %s needs a file name (a string), got %s; standard input "
              "is read with require \"otp.stdin\", which waits without holding the node",
              fname, luaL_typename(L, 1));
}

static int env_loadfile(lua_State *L) {
  need_file_name(L, "loadfile");
  int n = lua_gettop(L);
  lua_settop(L, 3);
  text_only(L, 2);
  if (n < 3) {
    otp_env_push_current(L);
    lua_replace(L, 3);
  }
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 3, LUA_MULTRET);
  return lua_gettop(L);
}

static int dofile_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  return lua_gettop(L) - (int)ctx;
}

static int env_dofile(lua_State *L) {
  need_file_name(L, "dofile");
  const char *fname = lua_tostring(L, 1);
  lua_settop(L, 1);
  if (luaL_loadfilex(L, fname, "t") != LUA_OK) return lua_error(L);
  otp_env_push_current(L);
  lua_setupvalue(L, -2, 1);
  lua_callk(L, 0, LUA_MULTRET, 1, dofile_k);
  return dofile_k(L, LUA_OK, 1);
}

/* require(name): modules are loaded once per node and shared read-only. */
static int env_require(lua_State *L) {
  lua_settop(L, 1);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushvalue(L, 1);
  lua_call(L, 1, 2);
  if (lua_istable(L, -2)) {
    otp_env_readonly(L, -2);
    lua_replace(L, -3);
  }
  return 2;
}

/* The Lua-file searcher: a module's chunk runs with globals of its own.
** package.searchpath is its upvalue (a sandbox has no searchpath: it would
** tell whether any file exists). */
static int search_lua(lua_State *L) {
  otp_vm *vm = otp_vm_of(L);
  const char *name = luaL_checkstring(L, 1);
  lua_getglobal(L, "package");
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_pushstring(L, name);
  lua_getfield(L, -3, "path");
  lua_call(L, 2, 2);
  if (lua_isnil(L, -2)) return 1;          /* the "no file" message */
  const char *filename = lua_tostring(L, -2);
  if (luaL_loadfilex(L, filename, "t") != LUA_OK)
    return luaL_error(L, "error loading module '%s' from file '%s':\n\t%s",
                      name, filename, lua_tostring(L, -1));
  lua_createtable(L, 0, 64);                /* the module's own globals */
  /* ...holding what the base globals hold: the base never changes once the
  ** state is open, and a module's lookups of type, pairs, string... then hit
  ** its own table instead of missing it and going through __index */
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->base_ref);
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -5);
  }
  lua_pop(L, 1);
  lua_pushvalue(L, -1);
  lua_setfield(L, -2, "_G");
  size_t dirlen = strlen(OTP_LUA_DIR);
  if (strncmp(filename, OTP_LUA_DIR, dirlen) == 0 && filename[dirlen] == '/' &&
      !strstr(filename + dirlen, "/..")) {        /* otplab's own library */
    lua_getfield(L, LUA_REGISTRYINDEX, OTP_ENV_INTERNAL);
    lua_setfield(L, -2, "otp_internal");
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, vm->env_mt_ref);
  lua_setmetatable(L, -2);
  otp_env_share(L, -1);
  lua_setupvalue(L, -2, 1);
  lua_pushstring(L, filename);
  return 2;
}

/* setmetatable without __gc: a finalizer runs inside whichever process the
** collector happens to be working for, with hooks off, so it could never be
** preempted or charged to its owner. */
static int env_setmetatable(lua_State *L) {
  if (lua_istable(L, 2) && (lua_pushliteral(L, "__gc"), lua_rawget(L, 2) != LUA_TNIL))
    return otp_raise(L, "badarg: __gc finalizers are not supported in otplab "
                     "(they would run outside any process); release resources "
                     "explicitly or with a to-be-closed variable");
  lua_settop(L, 2);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

/* collectgarbage in a sandbox: "count" only (a full collection on demand
** would let it stall the node, and "stop" would let its heap grow unseen). */
static int sandbox_collectgarbage(lua_State *L) {
  const char *opt = luaL_optstring(L, 1, "collect");
  if (strcmp(opt, "count") != 0)
    return otp_raise(L, "badarg: collectgarbage(\"%s\") is not available in a "
                     "sandbox; only collectgarbage(\"count\") is", opt);
  lua_pushnumber(L, (lua_Number)lua_gc(L, LUA_GCCOUNT, 0) +
                        (lua_Number)lua_gc(L, LUA_GCCOUNTB, 0) / 1024);
  return 1;
}

static void drop_global(lua_State *L, const char *name) {
  lua_pushnil(L);
  lua_setglobal(L, name);
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  lua_pushnil(L);
  lua_setfield(L, -2, name);
  lua_pop(L, 2);
}

/* A sandbox's library: no debug, no io or os beyond the clock (unless
** allowed), no files (dofile, loadfile, require only from otplab's own Lua
** library), no C modules, collectgarbage("count") only. */
static void restrict_library(lua_State *L, unsigned flags) {
  drop_global(L, "debug");
  drop_global(L, "dofile");
  drop_global(L, "loadfile");
  if (!(flags & OTP_VM_ALLOW_IO)) drop_global(L, "io");
  if (!(flags & OTP_VM_ALLOW_OS)) {
    static const char *const keep[] = {"clock", "date", "difftime", "time", NULL};
    lua_getglobal(L, "os");
    lua_createtable(L, 0, 4);
    for (int i = 0; keep[i]; i++) {
      lua_getfield(L, -2, keep[i]);
      lua_setfield(L, -2, keep[i]);
    }
    lua_setglobal(L, "os");
    lua_getglobal(L, "package");
    lua_getfield(L, -1, "loaded");
    lua_getglobal(L, "os");
    lua_setfield(L, -2, "os");
    lua_pop(L, 3);
  }
  lua_pushcfunction(L, sandbox_collectgarbage);
  lua_setglobal(L, "collectgarbage");
  lua_getglobal(L, "package");
  lua_pushnil(L);
  lua_setfield(L, -2, "loadlib");
  lua_pushliteral(L, "");
  lua_setfield(L, -2, "cpath");
  lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", OTP_LUA_DIR, OTP_LUA_DIR);
  lua_setfield(L, -2, "path");
  lua_getfield(L, -1, "searchers");       /* keep preload and the Lua searcher */
  lua_pushnil(L);
  lua_rawseti(L, -2, 4);
  lua_pushnil(L);
  lua_rawseti(L, -2, 3);
  lua_pop(L, 2);
}

/* package.loaded as processes see it: modules (and _G, and the libraries)
** come back read-only, and nothing can be set. require and otp.code use the
** registry's table itself. */
static int loaded_index(lua_State *L) {
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushvalue(L, 2);
  if (lua_rawget(L, -2) == LUA_TTABLE) otp_env_readonly(L, -1);
  return 1;
}

static int loaded_next(lua_State *L) {
  lua_settop(L, 2);                         /* (proxy, key), however it is called */
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_pushvalue(L, 2);
  if (!lua_next(L, 3)) return 0;
  if (lua_istable(L, -1)) {
    otp_env_readonly(L, -1);
    lua_replace(L, -2);
  }
  return 2;
}

static int loaded_pairs(lua_State *L) {
  lua_pushcfunction(L, loaded_next);
  lua_pushvalue(L, 1);
  lua_pushnil(L);
  return 3;
}

static void protect_loaded(lua_State *L) {
  lua_getglobal(L, "package");
  lua_newtable(L);
  lua_createtable(L, 0, 4);
  lua_pushcfunction(L, loaded_index);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, ro_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, loaded_pairs);
  lua_setfield(L, -2, "__pairs");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_setmetatable(L, -2);
  otp_env_share(L, -1);
  lua_setfield(L, -2, "loaded");
  lua_pop(L, 1);
}

/* The string metatable is the state's, shared by every process: hidden, so
** that nobody can swap its __index for all the others. */
static void protect_string_metatable(lua_State *L) {
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* debug in the main state: what a learner reads (tracebacks, where a
** function is, its locals); not what rewires the runtime (sethook removes
** preemption, setmetatable installs finalizers, get/setupvalue and
** getregistry reach the library's internals and other processes' values). */
static void reduce_debug(lua_State *L) {
  static const char *const keep[] = {"traceback", "getinfo", "getlocal", "upvalueid", NULL};
  if (lua_getglobal(L, "debug") != LUA_TTABLE) {
    lua_pop(L, 1);
    return;
  }
  lua_pushvalue(L, -1);                   /* the whole of it: the library's only */
  lua_setfield(L, LUA_REGISTRYINDEX, OTP_ENV_DEBUG);
  lua_createtable(L, 0, 4);
  for (int i = 0; keep[i]; i++) {
    lua_getfield(L, -2, keep[i]);
    lua_setfield(L, -2, keep[i]);
  }
  lua_setglobal(L, "debug");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
  lua_getglobal(L, "debug");
  lua_setfield(L, -2, "debug");
  lua_pop(L, 2);
}


/* rawset bypasses __newindex: refused on the read-only library views. */
static int env_rawset(lua_State *L) {
  if (is_readonly_view(L, 1)) return ro_newindex(L);
  lua_pushvalue(L, lua_upvalueindex(1));
  lua_insert(L, 1);
  lua_call(L, lua_gettop(L) - 1, 1);
  return 1;
}

static void wrap_global(lua_State *L, const char *name, lua_CFunction f) {
  lua_getglobal(L, name);
  lua_pushcclosure(L, f, 1);
  lua_setglobal(L, name);
}

void otp_env_init(lua_State *L, otp_vm *vm) {
  lua_newtable(L);                          /* weak set of shared tables */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  vm->shared_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_newtable(L);                          /* table -> its proxy (weak keys) */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &proxies_key);

  lua_pushglobaltable(L);
  vm->base_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pushglobaltable(L);
  otp_env_share(L, -1);
  lua_pop(L, 1);
  lua_createtable(L, 0, 2);                 /* metatable of every process's globals */
  lua_pushglobaltable(L);
  lua_setfield(L, -2, "__index");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  vm->env_mt_ref = luaL_ref(L, LUA_REGISTRYINDEX);

  otp_rand_install(L);                      /* math.random per process, seeded */
  /* package stays writable in the main state: scripts may extend package.path */
  static const char *const libs[] = {"string", "table", "math", "utf8", "coroutine",
                                     "os", "io", "debug", NULL};
  if (vm->flags & OTP_VM_SANDBOX) restrict_library(L, vm->flags);
  else reduce_debug(L);
  protect_string_metatable(L);
  lua_getglobal(L, "package");
  for (int i = 0; libs[i]; i++) {
    if (lua_getglobal(L, libs[i]) == LUA_TTABLE) {
      otp_env_readonly(L, -1);
      lua_setglobal(L, libs[i]);
    }
    lua_pop(L, 1);
  }
  /* package.path: the project's Lua library first */
  if (!(vm->flags & OTP_VM_SANDBOX)) {
    lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;", OTP_LUA_DIR, OTP_LUA_DIR);
    lua_getfield(L, -2, "path");
    lua_concat(L, 2);
    lua_setfield(L, -2, "path");
  }
  lua_getfield(L, -1, "searchers");
  lua_getfield(L, -2, "searchpath");
  lua_pushcclosure(L, search_lua, 1);
  lua_rawseti(L, -2, 2);
  lua_pop(L, 1);
  if (vm->flags & OTP_VM_SANDBOX) {
    lua_pushnil(L);
    lua_setfield(L, -2, "searchpath");
  }
  lua_pop(L, 1);

  protect_loaded(L);
  wrap_global(L, "load", env_load);
  wrap_global(L, "require", env_require);
  wrap_global(L, "setmetatable", env_setmetatable);
  wrap_global(L, "rawset", env_rawset);
  if (vm->flags & OTP_VM_SANDBOX) {
    lua_getglobal(L, "package");          /* its path cannot be changed */
    otp_env_readonly(L, -1);
    lua_setglobal(L, "package");
    lua_pop(L, 1);
    return;
  }
  wrap_global(L, "loadfile", env_loadfile);
  lua_pushcfunction(L, env_dofile);
  lua_setglobal(L, "dofile");
}
