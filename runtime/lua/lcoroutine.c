/*
** coroutine.* for code running in processes.
** A process is itself a coroutine, so a receive or a preemption inside a
** user's coroutine yields that coroutine, not the process.  These versions
** of resume and wrap notice such scheduler yields (proc->sched_yield) and pass
** them upward by yielding the caller too; when the scheduler resumes the
** process, the continuation resumes the inner coroutine where it stopped.
** At a process's top level, yield is an error, as in a plain main chunk.
*/
#include "lua/lotp.h"
#include "core/term.h"
#include "core/env.h"
#include "core/node.h"
#include "core/sched.h"

static lua_State *check_co(lua_State *L, int idx) {
  lua_State *co = lua_tothread(L, idx);
  if (!co) otp_arg_type(L, idx, LUA_TTHREAD, "coroutine.resume", "a coroutine");
  return co;
}

static int is_process_thread(lua_State *L, lua_State *co) {
  otp_proc *p = otp_node_of(L)->current;
  return p && p->co == co;
}

/* Resumes co with narg values from L; on a scheduler yield, yields L too and
** comes back to resume_k. Returns the number of results on L, or -1 and an
** error message on L's top. */
static int auxresume(lua_State *L, lua_State *co, int narg);

static int resume_k(lua_State *L, int status, lua_KContext ctx);

static int finish(lua_State *L, lua_State *co, int status, int nres, int wrap) {
  if (status == LUA_OK || status == LUA_YIELD) {
    if (!lua_checkstack(L, nres + 1)) {
      lua_pop(co, nres);
      return luaL_error(L, "too many results to resume");
    }
    if (!wrap) lua_pushboolean(L, 1);
    lua_xmove(co, L, nres);
    return nres + !wrap;
  }
  lua_xmove(co, L, 1);          /* the error */
  if (wrap) {
    if (lua_type(L, -1) == LUA_TSTRING) {   /* add position, as coroutine.wrap does */
      luaL_where(L, 1);
      lua_insert(L, -2);
      lua_concat(L, 2);
    }
    return lua_error(L);
  }
  lua_pushboolean(L, 0);
  lua_insert(L, -2);
  return 2;
}

/* ctx: 0 for resume, 1 for wrap; the coroutine is at stack index 1 (resume)
** or upvalue 1 (wrap). */
static int run(lua_State *L, lua_State *co, int narg, lua_KContext wrap) {
  otp_node *node = otp_node_of(L);
  otp_proc *p = node->current;
  uint64_t stuck_since = 0;
  for (;;) {
    int nres;
    lua_State *prev = otp_sched_set_running(node, co);
    int status = lua_resume(co, L, narg, &nres);
    otp_sched_set_running(node, prev);
    if (status == LUA_YIELD && p && p->sched_yield) {
      lua_pop(co, nres);           /* a scheduler yield from inside: pass it on */
      if (lua_isyieldable(L)) return lua_yieldk(L, 0, wrap, resume_k);
      if (p->yield_kind != OTP_YIELD_PREEMPT)
        return luaL_error(L, "cannot wait in a coroutine resumed from a call that "
                          "cannot be suspended (a metamethod or sort comparator)");
      p->sched_yield = 0;          /* a preemption we cannot pass on: carry on */
      otp_sched_stuck_inner(L, co, &stuck_since);
      narg = 0;
      continue;
    }
    return finish(L, co, status, nres, (int)wrap);
  }
}

static int resume_k(lua_State *L, int status, lua_KContext wrap) {
  (void)status;
  otp_proc *p = otp_node_of(L)->current;
  if (p) p->sched_yield = 0;
  lua_State *co = wrap ? lua_tothread(L, lua_upvalueindex(1)) : lua_tothread(L, 1);
  return run(L, co, 0, wrap);
}

static int auxresume(lua_State *L, lua_State *co, int narg) {
  if (is_process_thread(L, co))
    return luaL_error(L, "cannot resume a process's own coroutine");
  if (lua_status(co) == LUA_OK && lua_gettop(co) == 0) {
    lua_pushliteral(L, "cannot resume dead coroutine");
    return -1;
  }
  if (!lua_checkstack(co, narg)) {
    lua_pushliteral(L, "too many arguments to resume");
    return -1;
  }
  lua_xmove(L, co, narg);
  return narg;
}

static int co_resume(lua_State *L) {
  lua_State *co = check_co(L, 1);
  int narg = lua_gettop(L) - 1;
  if (auxresume(L, co, narg) < 0) {
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  return run(L, co, narg, 0);
}

static int co_wrap_call(lua_State *L) {
  lua_State *co = lua_tothread(L, lua_upvalueindex(1));
  int narg = lua_gettop(L);
  if (auxresume(L, co, narg) < 0) return lua_error(L);
  return run(L, co, narg, 1);
}

static int co_wrap(lua_State *L) {
  otp_arg_type(L, 1, LUA_TFUNCTION, "coroutine.wrap", "a function");
  lua_State *co = lua_newthread(L);
  lua_pushvalue(L, 1);
  lua_xmove(L, co, 1);
  lua_pushcclosure(L, co_wrap_call, 1);
  return 1;
}

static int co_yield(lua_State *L) {
  if (is_process_thread(L, L))
    return luaL_error(L, "attempt to yield from outside a coroutine (a process's "
                      "own code cannot yield; use otp.yield() to let others run)");
  otp_proc *p = otp_node_of(L)->current;
  if (p) p->sched_yield = 0;
  return lua_yield(L, lua_gettop(L));
}

static int co_isyieldable(lua_State *L) {
  lua_State *co = lua_isnone(L, 1) ? L : check_co(L, 1);
  lua_pushboolean(L, !is_process_thread(L, co) && lua_isyieldable(co));
  return 1;
}

static int co_running(lua_State *L) {
  int ismain = lua_pushthread(L);
  lua_pushboolean(L, ismain || is_process_thread(L, L));
  return 2;
}

void otp_coroutine_init(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"resume", co_resume}, {"wrap", co_wrap}, {"yield", co_yield},
    {"isyieldable", co_isyieldable}, {"running", co_running}, {NULL, NULL}
  };
  otp_library_replace(L, "coroutine", funcs);
}
