/*
** A sandbox's string.rep, table.move, table.insert, table.remove and
** table.sort: Lua 5.4's answers, without its long C loops.  Lua's string.rep("", n)
** counts to n doing nothing (math.maxinteger: centuries); table.move over a
** huge range, and insert or remove on a table whose __len says it is huge,
** step through every index in C, where no hook can stop them.  Here rep
** answers "" at once when there is nothing to repeat and fills its result by
** doubling, and the table loops count their steps and yield between slices
** (otp_sched_c_pause) like Lua code, the loop index kept in the
** continuation's context.  Lua's sort of a big array runs in C for as long as
** it takes (a million numbers: a quarter of a second), and with an order
** function it cannot be preempted at all; here it is a merge sort that yields.
** Host processes keep Lua's own functions.
*/
#include <limits.h>
#include <string.h>
#include "lua/lotp.h"
#include "core/sched.h"
#include "core/vm.h"

#define CHUNK 1024                        /* loop steps between two looks at the clock */
#define MAXSIZE ((size_t)INT_MAX)         /* Lua's limit on a string.rep result */

enum { TAB_R = 1, TAB_W = 2, TAB_L = 4 };

/* Lua's check that arg is a table, or has the metamethods `what` needs. */
static void check_table(lua_State *L, int arg, int what) {
  if (lua_type(L, arg) == LUA_TTABLE) return;
  int n = 1;
  if (lua_getmetatable(L, arg) &&
      (!(what & TAB_R) || (lua_pushliteral(L, "__index"), lua_rawget(L, -(++n)) != LUA_TNIL)) &&
      (!(what & TAB_W) || (lua_pushliteral(L, "__newindex"), lua_rawget(L, -(++n)) != LUA_TNIL)) &&
      (!(what & TAB_L) || (lua_pushliteral(L, "__len"), lua_rawget(L, -(++n)) != LUA_TNIL))) {
    lua_pop(L, n);
    return;
  }
  luaL_checktype(L, arg, LUA_TTABLE);     /* the error Lua gives */
}

/* After `done` steps of a loop: 1 if the caller must pause now. */
static int tick(lua_State *L, lua_Integer done) {
  return done % CHUNK == 0 && otp_sched_c_slice_over(L, CHUNK);
}

/* ---- string.rep ---- */

static int sb_rep(lua_State *L) {
  size_t l, lsep;
  const char *s = luaL_checklstring(L, 1, &l);
  lua_Integer n = luaL_checkinteger(L, 2);
  const char *sep = luaL_optlstring(L, 3, "", &lsep);
  if (n <= 0 || l + lsep == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (l + lsep < l || l + lsep > MAXSIZE / (size_t)n)
    return luaL_error(L, "resulting string too large");
  size_t piece = l + lsep, total = (size_t)n * l + (size_t)(n - 1) * lsep;
  luaL_Buffer b;
  char *out = luaL_buffinitsize(L, &b, total);
  memcpy(out, s, l);
  memcpy(out + l, sep, total > l ? lsep : 0);
  size_t filled = total > l ? piece : l;
  while (filled < total) {                /* double what is there */
    size_t more = filled < total - filled ? filled : total - filled;
    memcpy(out + filled, out, more);
    filled += more;
  }
  luaL_pushresultsize(&b, total);
  return 1;
}

/* ---- table.move ---- */

/* Stack: 1 a1, 2 f, 3 e, 4 t, 5 a2 or nil, 6 forward? ctx: the next step. */
static int move_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  lua_settop(L, 6);
  lua_Integer f = lua_tointeger(L, 2), e = lua_tointeger(L, 3), t = lua_tointeger(L, 4);
  int tt = lua_isnil(L, 5) ? 1 : 5, forward = lua_toboolean(L, 6);
  lua_Integer n = e - f + 1;
  for (lua_Integer done = (lua_Integer)ctx; done < n;) {
    lua_Integer i = forward ? done : n - 1 - done;
    lua_geti(L, 1, f + i);
    lua_seti(L, tt, t + i);
    if (tick(L, ++done)) otp_sched_c_pause(L, (lua_KContext)done, move_k);
  }
  lua_pushvalue(L, tt);
  return 1;
}

static int sb_move(lua_State *L) {
  lua_Integer f = luaL_checkinteger(L, 2);
  lua_Integer e = luaL_checkinteger(L, 3);
  lua_Integer t = luaL_checkinteger(L, 4);
  int tt = !lua_isnoneornil(L, 5) ? 5 : 1;
  check_table(L, 1, TAB_R);
  check_table(L, tt, TAB_W);
  lua_settop(L, 5);
  if (e < f) {                            /* nothing to move */
    lua_pushvalue(L, tt);
    return 1;
  }
  luaL_argcheck(L, f > 0 || e < LUA_MAXINTEGER + f, 3, "too many elements to move");
  lua_Integer n = e - f + 1;
  luaL_argcheck(L, t <= LUA_MAXINTEGER - n + 1, 4, "destination wrap around");
  lua_pushboolean(L, t > e || t <= f || (tt != 1 && !lua_compare(L, 1, tt, LUA_OPEQ)));
  return move_k(L, LUA_OK, 0);
}

/* ---- table.insert ---- */

/* Stack: 1 t, 2 pos, 3 v. ctx: the index being filled (from the end down). */
static int insert_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  lua_settop(L, 3);
  lua_Integer pos = lua_tointeger(L, 2), done = 0;
  for (lua_Integer i = (lua_Integer)ctx; i > pos; i--) {
    lua_geti(L, 1, i - 1);
    lua_seti(L, 1, i);
    if (tick(L, ++done)) otp_sched_c_pause(L, (lua_KContext)(i - 1), insert_k);
  }
  lua_seti(L, 1, pos);
  return 0;
}

static int sb_insert(lua_State *L) {
  check_table(L, 1, TAB_R | TAB_W | TAB_L);
  lua_Integer e = (lua_Integer)((lua_Unsigned)luaL_len(L, 1) + 1u);  /* first empty */
  switch (lua_gettop(L)) {
    case 2:
      lua_seti(L, 1, e);
      return 0;
    case 3: {
      lua_Integer pos = luaL_checkinteger(L, 2);
      luaL_argcheck(L, (lua_Unsigned)pos - 1u < (lua_Unsigned)e, 2, "position out of bounds");
      return insert_k(L, LUA_OK, (lua_KContext)e);
    }
    default:
      return luaL_error(L, "wrong number of arguments to 'insert'");
  }
}

/* ---- table.remove ---- */

/* Stack: 1 t, 2 pos, 3 the removed value, 4 size. ctx: the index being filled. */
static int remove_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  lua_settop(L, 4);
  lua_Integer size = lua_tointeger(L, 4), pos = (lua_Integer)ctx, done = 0;
  for (; pos < size; pos++) {
    lua_geti(L, 1, pos + 1);
    lua_seti(L, 1, pos);
    if (tick(L, ++done)) otp_sched_c_pause(L, (lua_KContext)(pos + 1), remove_k);
  }
  lua_settop(L, 3);
  lua_pushnil(L);
  lua_seti(L, 1, pos);
  return 1;
}

static int sb_remove(lua_State *L) {
  check_table(L, 1, TAB_R | TAB_W | TAB_L);
  lua_Integer size = luaL_len(L, 1);
  lua_Integer pos = luaL_optinteger(L, 2, size);
  if (pos != size)                        /* Lua 5.4 names argument 1 here */
    luaL_argcheck(L, (lua_Unsigned)pos - 1u <= (lua_Unsigned)size, 1, "position out of bounds");
  lua_settop(L, 2);
  lua_geti(L, 1, pos);
  lua_pushinteger(L, size);
  return remove_k(L, LUA_OK, (lua_KContext)pos);
}

/* ---- table.sort ---- */

/* A merge sort that can stop and go on: the elements are read into a plain
** table (A), merged back and forth between it and another (B) in runs of
** 1, 2, 4... and written back. Comparisons call the order function with
** lua_callk, so it may yield (and be preempted) like any Lua code; equal
** elements keep their order (Lua's sort promises no order for them). */
enum { S_READ, S_MERGE, S_WRITE };
enum { SORT_T = 1, SORT_CMP, SORT_STATE, SORT_A, SORT_B, SORT_TOP = SORT_B };

typedef struct sort_state {
  int phase;
  int flip;                       /* the runs are in B (else in A) */
  int cmp_pending;                /* the order function's answer is on top */
  lua_Integer n, w, lo, mid, hi, i, j, k;
  unsigned done;
} sort_state;

static int sort_k(lua_State *L, int status, lua_KContext ctx);

/* One more step done (its state already saved): pause if the slice is over. */
static void sort_tick(lua_State *L, sort_state *st) {
  if (++st->done % CHUNK == 0 && otp_sched_c_slice_over(L, CHUNK))
    otp_sched_c_pause(L, 0, sort_k);
}

/* The next run pair to merge, or the next pass, or the end of merging. */
static void next_runs(sort_state *st) {
  for (;;) {
    if (st->w >= st->n) {
      st->phase = S_WRITE;
      st->i = 1;
      return;
    }
    if (st->lo > st->n) {                 /* a pass is over */
      st->flip = !st->flip;
      st->w *= 2;
      st->lo = 1;
      continue;
    }
    st->mid = st->lo + st->w > st->n + 1 ? st->n + 1 : st->lo + st->w;
    st->hi = st->lo + 2 * st->w > st->n + 1 ? st->n + 1 : st->lo + 2 * st->w;
    st->i = st->lo;
    st->j = st->mid;
    st->k = st->lo;
    return;
  }
}

/* Moves element from (of the runs' table) to position k of the other. */
static void take(lua_State *L, sort_state *st, lua_Integer from) {
  int src = st->flip ? SORT_B : SORT_A, dst = st->flip ? SORT_A : SORT_B;
  lua_rawgeti(L, src, from);
  lua_rawseti(L, dst, st->k++);
}

static int sort_drive(lua_State *L, sort_state *st) {
  for (;;) {
    if (st->phase == S_READ) {
      while (st->i <= st->n) {
        lua_geti(L, SORT_T, st->i);
        lua_rawseti(L, SORT_A, st->i++);
        sort_tick(L, st);
      }
      st->phase = S_MERGE;
      st->w = 1;
      st->lo = 1;
      next_runs(st);
      continue;
    }
    if (st->phase == S_WRITE) {
      int src = st->flip ? SORT_B : SORT_A;
      while (st->i <= st->n) {
        lua_rawgeti(L, src, st->i);
        lua_seti(L, SORT_T, st->i++);
        sort_tick(L, st);
      }
      return 0;
    }
    if (st->cmp_pending) {                /* is src[j] < src[i]? */
      int less = lua_toboolean(L, -1);
      lua_pop(L, 1);
      st->cmp_pending = 0;
      if (less) take(L, st, st->j++);
      else take(L, st, st->i++);
      sort_tick(L, st);
      continue;
    }
    if (st->i < st->mid && st->j < st->hi) {
      int src = st->flip ? SORT_B : SORT_A;
      if (lua_isnil(L, SORT_CMP)) {
        lua_rawgeti(L, src, st->j);
        lua_rawgeti(L, src, st->i);
        lua_pushboolean(L, lua_compare(L, -2, -1, LUA_OPLT));
        lua_replace(L, -3);
        lua_pop(L, 1);
        st->cmp_pending = 1;
        continue;
      }
      lua_pushvalue(L, SORT_CMP);
      lua_rawgeti(L, src, st->j);
      lua_rawgeti(L, src, st->i);
      st->cmp_pending = 1;
      lua_callk(L, 2, 1, 0, sort_k);
      continue;
    }
    if (st->i < st->mid) take(L, st, st->i++);
    else if (st->j < st->hi) take(L, st, st->j++);
    else {
      st->lo = st->hi;
      next_runs(st);
      continue;
    }
    sort_tick(L, st);
  }
}

static int sort_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  (void)ctx;
  sort_state *st = lua_touserdata(L, SORT_STATE);
  lua_settop(L, SORT_TOP + st->cmp_pending);   /* the order function's answer */
  return sort_drive(L, st);
}

static int sb_sort(lua_State *L) {
  check_table(L, 1, TAB_R | TAB_W | TAB_L);
  lua_Integer n = luaL_len(L, 1);
  if (n <= 1) return 0;
  luaL_argcheck(L, n < INT_MAX, 1, "array too big");
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  sort_state *st = lua_newuserdatauv(L, sizeof *st, 0);
  memset(st, 0, sizeof *st);
  st->phase = S_READ;
  st->n = n;
  st->i = 1;
  lua_createtable(L, (int)n, 0);
  lua_createtable(L, (int)n, 0);
  return sort_drive(L, st);
}

void otp_sandbox_loops_register(lua_State *L) {
  if (!otp_vm_of(L)->sandbox) return;
  static const luaL_Reg string_funcs[] = {{"rep", sb_rep}, {NULL, NULL}};
  static const luaL_Reg table_funcs[] = {
    {"move", sb_move}, {"insert", sb_insert}, {"remove", sb_remove}, {"sort", sb_sort},
    {NULL, NULL}
  };
  otp_library_replace(L, "string", string_funcs);
  otp_library_replace(L, "table", table_funcs);
}
