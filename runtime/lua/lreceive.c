/*
** Receiving: selective receive, otp.match patterns, await_reply, sleep, yield.
**
** receive scans the mailbox in arrival order and leaves what does not match
** in place (rule A13).  While it waits, p->recv_last remembers the last
** message looked at, so a wake-up only examines what arrived since.  A
** pattern that contains the ref made by the latest make_ref/monitor starts
** after the receive marker set then: a request/reply never rescans a deep
** mailbox (messages older than a fresh ref cannot contain it).
*/
#include <stdatomic.h>
#include <string.h>
#include "lua/lotp.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/sched.h"
#include "core/term.h"
#include "core/timer.h"
#include "trace/trace.h"

#define ANY_IDX lua_upvalueindex(1)   /* the otp._ sentinel, upvalue of these functions */

/* ---- patterns ---- */

static int match_pattern(lua_State *L, int pat, int val, int depth) {
  if (!lua_istable(L, val)) return 0;
  if (depth > 100) return 0;
  luaL_checkstack(L, 4, "matching a deep pattern");
  lua_pushnil(L);
  while (lua_next(L, pat)) {
    int pv = lua_gettop(L);
    lua_pushvalue(L, pv - 1);
    lua_rawget(L, val);
    int mv = pv + 1, ok;
    if (lua_rawequal(L, pv, ANY_IDX)) ok = !lua_isnil(L, mv);
    else if (lua_istable(L, pv)) ok = match_pattern(L, pv, mv, depth + 1);
    else ok = lua_rawequal(L, pv, mv);
    lua_pop(L, 2);
    if (!ok) {
      lua_pop(L, 1);
      return 0;
    }
  }
  return 1;
}

/* Does the pattern at pat hold the ref with this id (at any depth)? */
static int holds_ref(lua_State *L, int pat, uint64_t id, int depth) {
  if (depth > 8) return 0;
  int found = 0;
  lua_pushnil(L);
  while (!found && lua_next(L, pat)) {
    if (otp_to_ref(L, -1) == id) found = 1;
    else if (lua_istable(L, -1) && !lua_rawequal(L, -1, ANY_IDX))
      found = holds_ref(L, lua_gettop(L), id, depth + 1);
    lua_pop(L, 1);
  }
  if (found) lua_pop(L, 1);
  return found;
}

/* Does the message at val match the pattern at pat, or, if alts, any of
** the patterns listed in the array at pat? */
static int match_any(lua_State *L, int pat, int val, int alts) {
  if (!alts) return match_pattern(L, pat, val, 0);
  int ok = 0;
  for (lua_Integer i = 1; !ok && lua_rawgeti(L, pat, i) == LUA_TTABLE; i++) {
    ok = match_pattern(L, lua_gettop(L), val, 0);
    lua_pop(L, 1);
  }
  if (!ok) lua_pop(L, 1);
  return ok;
}

/* The function otp.match returns: upvalues otp._, the pattern (or the list
** of patterns), and whether it is a list. */
static int l_match_fn(lua_State *L) {
  lua_settop(L, 1);
  lua_pushboolean(L, match_any(L, lua_upvalueindex(2), 1,
                               lua_toboolean(L, lua_upvalueindex(3))));
  return 1;
}

/* match(pattern [, pattern...]): several patterns match a message that any
** of them matches (like the clauses of an Erlang receive). */
static int l_match(lua_State *L) {
  int n = lua_gettop(L);
  for (int i = 1; i <= n || i == 1; i++)
    otp_arg_type(L, i, LUA_TTABLE, "otp.match", "a pattern table");
  lua_pushvalue(L, ANY_IDX);
  if (n == 1) {
    lua_pushvalue(L, 1);
  } else {
    lua_createtable(L, n, 0);
    for (int i = 1; i <= n; i++) {
      lua_pushvalue(L, i);
      lua_rawseti(L, -2, i);
    }
  }
  lua_pushboolean(L, n > 1);
  lua_pushcclosure(L, l_match_fn, 3);
  return 1;
}

/* ---- receive ---- */

/* What the matcher at stack 1 of a receive is (stack 3). */
enum { MATCH_ONE, MATCH_ANY_OF, MATCH_REPLY, MATCH_CALL };

/* Is the message at idx {ref, ...} or {"DOWN", ref, ...}, ref at stack 1? */
static int is_reply(lua_State *L, int idx) {
  if (!lua_istable(L, idx)) return 0;
  lua_rawgeti(L, idx, 1);
  int ok = lua_rawequal(L, -1, 1);
  if (!ok && lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "DOWN") == 0) {
    lua_rawgeti(L, idx, 2);
    ok = lua_rawequal(L, -1, 1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return ok;
}

/* A pattern compiled for one scan: its values pushed on the stack (each
** just above its key), each pair sorted out once (an integer key, the
** wildcard, a sub-pattern), so that a message is tested with a raw get and
** a compare per pair, without walking the pattern with lua_next. Matching
** runs no code that could change the pattern, so this holds for the scan. */
#define MAX_PAIRS 8
enum { PAIR_EQ, PAIR_ANY, PAIR_SUB };
typedef struct pair {
  int value;                       /* stack index of the value; the key below */
  lua_Integer ikey;
  uint8_t int_key, what;
} pair;

/* What a scan keeps: what kind of matcher stack 1 is, and the compiled
** pairs (npairs < 0: none). */
typedef struct scan {
  int type, kind, npairs;
  pair pairs[MAX_PAIRS];
  /* the skip test of a compiled pattern: what its [1] needs (HEAD_ANY:
  ** nothing, HEAD_NON_NIL: the wildcard, else 1 + lua_type), and the bytes
  ** of a string [1] */
  int head_want;
  const char *head;
  size_t head_len;
} scan;

enum { HEAD_ANY = -1, HEAD_NON_NIL = 0 };

/* The longest string Lua interns (LUAI_MAXSHORTLEN, 40 in a stock 5.4):
** two equal strings that short are one object, so strings of the same
** length at different addresses differ. Asked of Lua once, not assumed. */
static _Atomic int short_max = -1;

static size_t interned_max(lua_State *L) {
  int n = atomic_load_explicit(&short_max, memory_order_relaxed);
  if (n >= 0) return (size_t)n;
  luaL_checkstack(L, 2, "compiling a receive pattern");
  char a[64], b[64];
  memset(a, 'q', sizeof a);
  memset(b, 'q', sizeof b);
  for (n = 0; n < (int)sizeof a; n++) {
    int same = lua_pushlstring(L, a, (size_t)n + 1) == lua_pushlstring(L, b, (size_t)n + 1);
    lua_pop(L, 2);
    if (!same) break;
  }
  atomic_store_explicit(&short_max, n, memory_order_relaxed);
  return (size_t)n;
}

/* What the pattern's pairs say of a message's [1], for the skip test. */
static void compile_head(lua_State *L, scan *sc) {
  sc->head_want = HEAD_ANY;
  for (int i = 0; i < sc->npairs; i++) {
    const pair *pr = &sc->pairs[i];
    if (!pr->int_key || pr->ikey != 1) continue;
    int t = pr->what == PAIR_SUB ? LUA_TTABLE : lua_type(L, pr->value);
    sc->head_want = pr->what == PAIR_ANY ? HEAD_NON_NIL : 1 + t;
    if (t == LUA_TSTRING) {
      sc->head = lua_tolstring(L, pr->value, &sc->head_len);
      interned_max(L);
    }
  }
}

/* Notes in m what its [1] is, once per message. */
static void learn_head(lua_State *L, otp_msg *m) {
  if (otp_mailbox_push_value(L, m) != LUA_TTABLE) {
    m->head_kind = OTP_HEAD_NOT_TABLE;
  } else {
    int t = lua_rawgeti(L, -1, 1);
    m->head_kind = (uint8_t)(1 + t);
    if (t == LUA_TSTRING) m->head = lua_tolstring(L, -1, &m->head_len);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* Can m not match the compiled pattern, as its [1] (noted in m, no Lua
** call) already shows? The common case of a deep mailbox: another tag. */
static int cannot_match(lua_State *L, const scan *sc, otp_msg *m) {
  if (m->head_kind == OTP_HEAD_UNKNOWN) learn_head(L, m);
  if (m->head_kind == OTP_HEAD_EXPOSED) return 0;
  if (m->head_kind == OTP_HEAD_NOT_TABLE) return 1;
  if (sc->head_want == HEAD_ANY) return 0;
  if (sc->head_want == HEAD_NON_NIL) return m->head_kind == 1 + LUA_TNIL;
  if (m->head_kind != sc->head_want) return 1;
  if (sc->head_want != 1 + LUA_TSTRING || m->head == sc->head) return 0;
  return m->head_len != sc->head_len ||
         m->head_len <= (size_t)atomic_load_explicit(&short_max, memory_order_relaxed);
}

static void compile_pattern(lua_State *L, scan *sc, int pat) {
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, pat)) {
    if (n == MAX_PAIRS) {          /* a big pattern: matched the plain way */
      lua_pop(L, 2);
      sc->npairs = -1;
      return;
    }
    pair *pr = &sc->pairs[n++];
    pr->value = lua_gettop(L);
    pr->int_key = (uint8_t)lua_isinteger(L, -2);
    pr->ikey = pr->int_key ? lua_tointeger(L, -2) : 0;
    pr->what = lua_rawequal(L, -1, ANY_IDX) ? PAIR_ANY
               : lua_istable(L, -1)        ? PAIR_SUB : PAIR_EQ;
    luaL_checkstack(L, 3, "compiling a receive pattern");
    lua_pushvalue(L, -2);          /* the key again, for lua_next */
  }
  sc->npairs = n;
  compile_head(L, sc);
}

/* match_pattern for the compiled pairs; the message (at val) is a table. */
static int match_compiled(lua_State *L, const scan *sc, int val) {
  for (int i = 0; i < sc->npairs; i++) {
    const pair *pr = &sc->pairs[i];
    int t;
    if (pr->int_key) t = lua_rawgeti(L, val, pr->ikey);
    else {
      lua_pushvalue(L, pr->value - 1);
      t = lua_rawget(L, val);
    }
    int ok = pr->what == PAIR_ANY ? t != LUA_TNIL
             : pr->what == PAIR_SUB ? match_pattern(L, pr->value, lua_gettop(L), 1)
             : lua_rawequal(L, pr->value, -1);
    lua_pop(L, 1);
    if (!ok) return 0;
  }
  return 1;
}

/* Does the matcher function at stack 1 say yes to m? */
static int matches_call(lua_State *L, otp_proc *p, otp_msg *m) {
  m->head_kind = OTP_HEAD_EXPOSED;   /* the function may keep it and change it */
  lua_pushvalue(L, 1);
  otp_mailbox_push_value(L, m);
  p->in_matcher = 1;
  int status = lua_pcall(L, 1, 1, 0);
  p->in_matcher = 0;
  if (status != LUA_OK) lua_error(L);
  int ok = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return ok;
}

/* Stack of receive: 1 = matcher (nil, function, pattern table, a value or a
** ref), 2 = timeout in ms or nil (forever), 3 = what 1 is (MATCH_*). */
static int matches(lua_State *L, otp_proc *p, const scan *sc, otp_msg *m) {
  if (sc->type == LUA_TNIL) return 1;
  if (sc->type == LUA_TFUNCTION && sc->kind == MATCH_ONE) return matches_call(L, p, m);
  int mt = otp_mailbox_push_value(L, m), ok;
  if (sc->npairs >= 0) {
    ok = mt == LUA_TTABLE && match_compiled(L, sc, lua_gettop(L));
  } else if (sc->kind == MATCH_REPLY || sc->kind == MATCH_CALL) {
    ok = is_reply(L, lua_gettop(L));
  } else if (sc->type == LUA_TTABLE) {
    ok = match_any(L, 1, lua_gettop(L), sc->kind == MATCH_ANY_OF);
  } else {
    ok = lua_rawequal(L, 1, -1);
  }
  lua_pop(L, 1);
  return ok;
}

/* Does every pattern of the receive (stack 1, list if stack 3) hold the ref?
** Then only messages after the marker can match (as BEAM's receive marker:
** no message older than a fresh ref can contain it). */
static int holds_ref_all(lua_State *L, uint64_t id) {
  if (lua_tointeger(L, 3) != MATCH_ANY_OF) return holds_ref(L, 1, id, 0);
  int all = 1;
  lua_Integer i = 1;
  for (; all && lua_rawgeti(L, 1, i) == LUA_TTABLE; i++) {
    all = holds_ref(L, lua_gettop(L), id, 0);
    lua_pop(L, 1);
  }
  if (all) lua_pop(L, 1);
  return all && i > 1;
}

static int receive_scan(lua_State *L, int status, lua_KContext first);

static int timed_out(lua_State *L, otp_proc *p) {
  otp_timer_stop_receive(p);
  lua_pushnil(L);
  lua_pushliteral(L, "timeout");
  return 2;
}

/* otp.fault.slow: the pause before taking a message, as a sleep; new
** messages do not end it. Then the scan looks at m again and takes it. */
static int slow_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  (void)ctx;
  otp_proc *p = otp_node_of(L)->current;
  if (p->fault_crash_ref) otp_fault_crash_now(L, p);
  if (!p->recv_timed_out) return otp_sched_yieldk(L, OTP_YIELD_WAIT, 0, slow_k);
  p->recv_timed_out = 0;
  p->slow_paused = 1;
  return receive_scan(L, LUA_OK, 0);
}

static int slow_pause(lua_State *L, otp_node *node, otp_proc *p, otp_msg *m) {
  if (otp_trace_on(node, OTP_EV_FAULT_SLOW)) {
    otp_mailbox_push_value(L, m);
    otp_trace_info info = {.pid = p->pid, .other = m->from, .L = L, .msg = lua_gettop(L)};
    otp_trace_emit(node, OTP_EV_FAULT_SLOW, &info);
    lua_pop(L, 1);
  }
  p->recv_last = m->prev;                    /* look at m first after the pause */
  otp_timer_arm_receive(node, p, p->slow_ms); /* replaces the receive's own timeout */
  return otp_sched_yieldk(L, OTP_YIELD_WAIT, 0, slow_k);
}

static int receive_scan(lua_State *L, int status, lua_KContext first) {
  (void)status;
  otp_node *node = otp_node_of(L);
  otp_proc *p = node->current;
  p->recv_any = 0;
  if (p->fault_crash_ref && !p->handoff) otp_fault_crash_now(L, p);
  if (p->handoff) {                /* handed over while we waited: see mailbox.h */
    p->handoff = 0;
    otp_timer_stop_receive(p);
    if (otp_trace_on(node, OTP_EV_RECEIVE)) {
      otp_trace_info info = {.pid = p->pid, .other = p->handoff_from, .L = L, .msg = lua_gettop(L)};
      otp_trace_emit(node, OTP_EV_RECEIVE, &info);
    }
    return 1;
  }
  int top = lua_gettop(L);
  otp_msg *m = p->recv_last ? p->recv_last->next : p->mq_head;
  scan sc;
  sc.type = lua_type(L, 1);
  sc.kind = (int)lua_tointeger(L, 3);
  sc.npairs = -1;
  if (m && sc.type == LUA_TTABLE && sc.kind == MATCH_ONE) compile_pattern(L, &sc, 1);
  for (; m; m = m->next) {
    if (sc.npairs >= 0 && cannot_match(L, &sc, m)) {
      p->recv_last = m;
      continue;
    }
    if (matches(L, p, &sc, m)) {
      if (p->slow_ms && !p->slow_paused) {
        lua_settop(L, top);
        return slow_pause(L, node, p, m);
      }
      p->slow_paused = 0;
      otp_timer_stop_receive(p);
      otp_mailbox_take(node, L, p, m);
      if (otp_trace_on(node, OTP_EV_RECEIVE)) {
        otp_trace_info info = {.pid = p->pid, .other = m->from, .L = L, .msg = lua_gettop(L)};
        otp_trace_emit(node, OTP_EV_RECEIVE, &info);
      }
      return sc.kind == MATCH_CALL ? otp_call_outcome(L, p) : 1;
    }
    p->recv_last = m;
  }
  lua_settop(L, top);
  if (p->recv_timed_out) return timed_out(L, p);
  if (first) {
    if (lua_isinteger(L, 2) && lua_tointeger(L, 2) == 0) return timed_out(L, p);
    if (!lua_isnil(L, 2)) otp_timer_arm_receive(node, p, (uint64_t)lua_tointeger(L, 2));
  }
  /* only a receive on the process's own coroutine can take a hand-off (a
  ** user coroutine is resumed by lcoroutine.c, which passes no values) */
  p->recv_any = lua_isnil(L, 1) && L == p->co && !p->slow_ms;
  return otp_sched_yieldk(L, OTP_YIELD_WAIT, 0, receive_scan);
}

static void check_timeout(lua_State *L, int idx) {
  if (lua_isnoneornil(L, idx)) {
    lua_settop(L, idx);
    return;
  }
  if (lua_type(L, idx) == LUA_TSTRING && strcmp(lua_tostring(L, idx), "infinity") == 0) {
    lua_pushnil(L);
    lua_replace(L, idx);
    return;
  }
  if (lua_type(L, idx) != LUA_TNUMBER)
    otp_raise(L, "badarg: a timeout must be a number of milliseconds >= 0 or "
               "\"infinity\", got %s", luaL_typename(L, idx));
  lua_Number ms = lua_tonumber(L, idx);
  /* written so that NaN fails too: a NaN compares false with everything */
  if (!(ms >= 0 && ms <= OTP_MAX_TIMEOUT_MS))
    otp_raise(L, "badarg: a timeout must be a number of milliseconds from 0 to "
               OTP_MAX_TIMEOUT_TEXT " (or \"infinity\" to wait forever), got %s",
               luaL_tolstring(L, idx, NULL));
  lua_pushinteger(L, (lua_Integer)(ms + 0.999));   /* round up, as after T does */
  lua_replace(L, idx);
}

static void check_can_wait(lua_State *L, otp_proc *p, const char *what) {
  if (p->in_matcher)
    otp_raise(L, "badarg: %s cannot be called inside a receive matcher", what);
  if (!lua_isyieldable(L))
    otp_raise(L, "badarg: %s cannot wait here: it was called inside a metamethod, "
               "a table.sort comparator or another call that cannot be suspended", what);
}

static int l_receive(lua_State *L) {
  otp_proc *p = otp_self(L);
  lua_settop(L, 2);
  check_timeout(L, 2);
  lua_pushinteger(L, MATCH_ONE);
  int t = lua_type(L, 1);
  if (t == LUA_TFUNCTION && lua_tocfunction(L, 1) == l_match_fn) {
    lua_getupvalue(L, 1, 3);      /* an otp.match matcher: use its patterns directly */
    lua_pushinteger(L, lua_toboolean(L, -1) ? MATCH_ANY_OF : MATCH_ONE);
    lua_replace(L, 3);
    lua_pop(L, 1);
    lua_getupvalue(L, 1, 2);
    lua_replace(L, 1);
    t = LUA_TTABLE;
  }
  if (!(lua_isinteger(L, 2) && lua_tointeger(L, 2) == 0)) check_can_wait(L, p, "otp.receive");
  p->recv_last = NULL;
  p->recv_timed_out = 0;
  if (t == LUA_TTABLE && p->has_marker && holds_ref_all(L, p->marker_ref))
    p->recv_last = p->marker;
  return receive_scan(L, LUA_OK, 1);
}

/* The wait of a call for the ref at stack 1 (kind MATCH_REPLY or MATCH_CALL):
** only messages that arrived after ref was made are examined (receive marker). */
static int await_ref(lua_State *L, int kind, const char *fname) {
  otp_proc *p = otp_self(L);
  uint64_t id = otp_to_ref(L, 1);
  if (!id) return otp_raise(L, "badarg: %s needs a ref, got %s", fname, luaL_typename(L, 1));
  lua_settop(L, 2);
  check_timeout(L, 2);
  lua_pushinteger(L, kind);
  if (!(lua_isinteger(L, 2) && lua_tointeger(L, 2) == 0)) check_can_wait(L, p, fname);
  p->recv_timed_out = 0;
  p->recv_last = p->has_marker && p->marker_ref == id ? p->marker : NULL;
  return receive_scan(L, LUA_OK, 1);
}

/* await_reply(ref[, timeout]): the receive of a call: the first message
** {ref, ...} (the reply) or {"DOWN", ref, ...} (the callee died). */
static int l_await_reply(lua_State *L) {
  return await_ref(L, MATCH_REPLY, "otp.await_reply");
}

/* _await_call(ref[, timeout]) -> true, reply | false, reason | nil,
** "timeout": await_reply and what a call does with its outcome in one step
** (see otp_call_outcome). */
static int l_await_call(lua_State *L) {
  return await_ref(L, MATCH_CALL, "otp._await_call");
}

/* sleep(ms): wait without looking at the mailbox. */
static int sleep_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  (void)ctx;
  otp_proc *p = otp_node_of(L)->current;
  if (p->fault_crash_ref) otp_fault_crash_now(L, p);
  if (p->recv_timed_out) {
    p->recv_timed_out = 0;
    return 0;
  }
  return otp_sched_yieldk(L, OTP_YIELD_WAIT, 0, sleep_k);
}

static int l_sleep(lua_State *L) {
  otp_proc *p = otp_self(L);
  check_timeout(L, 1);
  check_can_wait(L, p, "otp.sleep");
  if (p->fault_crash_ref) otp_fault_crash_now(L, p);
  if (lua_isnil(L, 1)) return otp_sched_yieldk(L, OTP_YIELD_WAIT, 0, sleep_k);
  otp_timer_arm_receive(otp_node_of(L), p, (uint64_t)lua_tointeger(L, 1));
  return otp_sched_yieldk(L, OTP_YIELD_WAIT, 0, sleep_k);
}

static int l_yield(lua_State *L) {
  if (otp_self(L)->fault_crash_ref) otp_fault_crash_now(L, otp_self(L));
  if (!lua_isyieldable(L)) return 0;
  return otp_sched_yieldk(L, OTP_YIELD_PREEMPT, 0, NULL);
}

const luaL_Reg otp_receive_funcs[] = {
  {"receive", l_receive},
  {"await_reply", l_await_reply},
  {"_await_call", l_await_call},
  {"match", l_match},
  {"sleep", l_sleep},
  {"yield", l_yield},
  {NULL, NULL}
};
