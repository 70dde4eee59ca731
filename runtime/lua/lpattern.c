/*
** A sandbox's string.find, string.match, string.gmatch and string.gsub (and
** so the s:find(...) forms, through the string metatable): Lua 5.4's
** behaviour, on the resumable engine of sandbox/pattern.c.  When a slice is
** over in the middle of a match, the process yields (otp_sched_c_pause) and
** the match goes on in the next slice, so a pattern that backtracks for
** hours is just a busy process.  Host processes keep Lua's own functions.
**
** The work lives in a `job`: on the C stack while a call fits in its slice
** (most do, and then nothing is allocated), copied into a userdata on the
** Lua stack the first time the call has to pause.
*/
#include <string.h>
#include "lua/lotp.h"
#include "core/node.h"
#include "core/sched.h"
#include "sandbox/pattern.h"

#define CHUNK 4096          /* steps between two looks at the clock */

enum { OP_FIND, OP_MATCH, OP_GMATCH, OP_GSUB };
enum { PH_START, PH_RUN, PH_CALLED };     /* gsub: where the current match stands */

typedef struct job {
  otp_pat m;
  int op;
  int anchor;
  size_t pstart;                  /* the pattern after a leading '^' */
  size_t s1;                      /* where the current attempt starts */
  size_t lastmatch;               /* gmatch, gsub: end of the last match, if any */
  int has_last;
  int phase;
  int slot;                       /* the job's stack slot once it is a userdata */
  unsigned work;                  /* steps since the last look at the clock */
  lua_Integer n, max_n;           /* gsub: replacements made, allowed */
} job;

/* The output of gsub: a userdata at stack slot BUF that grows by copying. */
typedef struct outbuf {
  size_t len, cap;
  char data[];
} outbuf;

/* Stack slots. find/match: 1 s, 2 p, 3 init, 4 plain, 5 job.
** gsub: 1 s, 2 p, 3 repl, 4 n, 5 buffer, 6 job. gmatch's iterator: 1 job. */
enum { FIND_TOP = 4, GSUB_BUF = 5, GSUB_TOP = 5, GMATCH_TOP = 0 };

static int find_k(lua_State *L, int status, lua_KContext ctx);
static int gsub_k(lua_State *L, int status, lua_KContext ctx);
static int gmatch_k(lua_State *L, int status, lua_KContext ctx);

static size_t posrelat(lua_Integer pos, size_t len) {
  if (pos > 0) return (size_t)pos;
  if (pos == 0) return 1;
  if (pos < -(lua_Integer)len) return 1;
  return len + (size_t)pos + 1;
}

/* The job, moved into a userdata at its slot if it is still on the C stack
** (a yield loses the C stack; the continuation finds the job there). */
static job *keep(lua_State *L, job *j) {
  if (lua_touserdata(L, j->slot) == j) return j;
  job *kept = lua_newuserdatauv(L, sizeof *kept, 0);
  memcpy(kept, j, sizeof *kept);
  lua_replace(L, j->slot);
  return kept;
}

/* The slice is over: keep the job and yield (or, where L cannot yield, go
** on under the stuck-call clock). */
static job *pause(lua_State *L, job *j, lua_KFunction k) {
  j = keep(L, j);
  otp_sched_c_pause(L, 0, k);
  return j;
}

/* Runs the current attempt to its end, pausing between slices. */
static int run_attempt(lua_State *L, job **jp, lua_KFunction k) {
  for (;;) {
    job *j = *jp;
    int64_t budget = CHUNK;
    int r = otp_pat_run(&j->m, &budget);
    if (r == OTP_PAT_ERROR) return luaL_error(L, "%s", j->m.err);
    j->work += (unsigned)(CHUNK - (budget > 0 ? budget : 0));
    if (j->work >= CHUNK) {
      unsigned work = j->work;
      j->work = 0;
      if (otp_sched_c_slice_over(L, work)) *jp = pause(L, j, k);
    }
    if (r != OTP_PAT_PAUSED) return r;
  }
}

/* Capture i of the last match (i == 0 with none: the whole match s..e). */
static void push_capture(lua_State *L, const otp_pat *m, int i, size_t s, size_t e) {
  if (i >= m->level) {
    if (i != 0) luaL_error(L, "invalid capture index %%%d", i + 1);
    lua_pushlstring(L, m->src + s, e - s);
    return;
  }
  ptrdiff_t len = m->capture[i].len;
  if (len == OTP_PAT_CAP_UNFINISHED) luaL_error(L, "unfinished capture");
  if (len == OTP_PAT_CAP_POSITION) lua_pushinteger(L, (lua_Integer)m->capture[i].init + 1);
  else lua_pushlstring(L, m->src + m->capture[i].init, (size_t)len);
}

/* Every capture (or the whole match if there are none and whole is set). */
static int push_captures(lua_State *L, const otp_pat *m, int whole, size_t s, size_t e) {
  int n = m->level == 0 && whole ? 1 : m->level;
  luaL_checkstack(L, n, "too many captures");
  for (int i = 0; i < n; i++) push_capture(L, m, i, s, e);
  return n;
}

static void start_attempt(job *j) {
  otp_pat_begin(&j->m, j->s1, j->pstart);
}

/* ---- find and match ---- */

static int find_drive(lua_State *L, job *j) {
  for (;;) {
    if (j->phase == PH_START) {
      start_attempt(j);
      j->phase = PH_RUN;
    }
    int r = run_attempt(L, &j, find_k);
    if (r == OTP_PAT_MATCH) {
      size_t s1 = j->s1, e = j->m.end;
      if (j->op == OP_MATCH) return push_captures(L, &j->m, 1, s1, e);
      lua_pushinteger(L, (lua_Integer)s1 + 1);
      lua_pushinteger(L, (lua_Integer)e);
      return push_captures(L, &j->m, 0, 0, 0) + 2;
    }
    j->phase = PH_START;
    if (j->anchor || j->s1 >= j->m.src_len) break;
    j->s1++;
    j->work++;
  }
  luaL_pushfail(L);
  return 1;
}

static void reattach(lua_State *L, job *j, int s_idx, int p_idx) {
  j->m.src = lua_tolstring(L, s_idx, NULL);
  j->m.pat = lua_tolstring(L, p_idx, NULL);
}

static int find_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  (void)ctx;
  lua_settop(L, FIND_TOP + 1);
  job *j = lua_touserdata(L, FIND_TOP + 1);
  reattach(L, j, 1, 2);
  return find_drive(L, j);
}

/* A plain substring search (find with plain, or a pattern without specials). */
static const char *plain_find(const char *s, size_t ls, const char *p, size_t lp) {
  if (lp == 0) return s;
  if (lp > ls) return NULL;
  for (const char *at = s; (at = memchr(at, *p, ls - lp + 1 - (size_t)(at - s))) != NULL; at++)
    if (memcmp(at + 1, p + 1, lp - 1) == 0) return at;
  return NULL;
}

/* Only the header: the frames and captures are written before they are read. */
static void job_init(job *j, int op, const char *s, size_t ls, const char *p, size_t lp) {
  j->op = op;
  j->s1 = j->lastmatch = 0;
  j->has_last = 0;
  j->phase = PH_START;
  j->slot = 0;
  j->work = 0;
  j->n = j->max_n = 0;
  otp_pat_init(&j->m, s, ls, p, lp);
  j->anchor = lp > 0 && p[0] == '^' && op != OP_GMATCH;
  j->pstart = j->anchor ? 1 : 0;
}

static int find_aux(lua_State *L, int op) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  size_t init = posrelat(luaL_optinteger(L, 3, 1), ls) - 1;
  if (init > ls) {
    luaL_pushfail(L);
    return 1;
  }
  if (op == OP_FIND && (lua_toboolean(L, 4) || !otp_pat_has_specials(p, lp))) {
    const char *at = plain_find(s + init, ls - init, p, lp);
    if (!at) {
      luaL_pushfail(L);
      return 1;
    }
    lua_pushinteger(L, (lua_Integer)(at - s) + 1);
    lua_pushinteger(L, (lua_Integer)(at - s + (ptrdiff_t)lp));
    return 2;
  }
  lua_settop(L, FIND_TOP);
  lua_pushnil(L);                             /* the job's slot */
  job j;
  job_init(&j, op, s, ls, p, lp);
  j.s1 = init;
  j.slot = FIND_TOP + 1;
  return find_drive(L, &j);
}

static int sb_find(lua_State *L) { return find_aux(L, OP_FIND); }
static int sb_match(lua_State *L) { return find_aux(L, OP_MATCH); }

/* ---- gmatch ---- */

/* The iterator's state between calls (upvalue 3). */
typedef struct gmatch_state {
  size_t s1, lastmatch;
  int has_last;
} gmatch_state;

static int gmatch_drive(lua_State *L, job *j) {
  for (;;) {
    if (j->s1 > j->m.src_len) return 0;
    if (j->phase == PH_START) {
      start_attempt(j);
      j->phase = PH_RUN;
    }
    int r = run_attempt(L, &j, gmatch_k);
    j->phase = PH_START;
    if (r == OTP_PAT_MATCH && !(j->has_last && j->m.end == j->lastmatch)) {
      gmatch_state *st = lua_touserdata(L, lua_upvalueindex(3));
      size_t s1 = j->s1, e = j->m.end;
      st->s1 = st->lastmatch = e;               /* where the next call starts */
      st->has_last = 1;
      return push_captures(L, &j->m, 1, s1, e);
    }
    j->s1++;
    j->work++;
  }
}

static int gmatch_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  (void)ctx;
  lua_settop(L, GMATCH_TOP + 1);
  job *j = lua_touserdata(L, GMATCH_TOP + 1);
  reattach(L, j, lua_upvalueindex(1), lua_upvalueindex(2));
  return gmatch_drive(L, j);
}

/* One step of the iteration: the state changes only when a call returns. */
static int gmatch_next(lua_State *L) {
  lua_settop(L, GMATCH_TOP);
  lua_pushnil(L);
  size_t ls, lp;
  const char *s = lua_tolstring(L, lua_upvalueindex(1), &ls);
  const char *p = lua_tolstring(L, lua_upvalueindex(2), &lp);
  const gmatch_state *st = lua_touserdata(L, lua_upvalueindex(3));
  job j;
  job_init(&j, OP_GMATCH, s, ls, p, lp);
  j.s1 = st->s1;
  j.lastmatch = st->lastmatch;
  j.has_last = st->has_last;
  j.slot = GMATCH_TOP + 1;
  return gmatch_drive(L, &j);
}

static int sb_gmatch(lua_State *L) {
  size_t ls;
  luaL_checklstring(L, 1, &ls);
  luaL_checkstring(L, 2);
  size_t init = posrelat(luaL_optinteger(L, 3, 1), ls) - 1;
  lua_settop(L, 2);
  gmatch_state *st = lua_newuserdatauv(L, sizeof *st, 0);
  st->s1 = init > ls ? ls + 1 : init;
  st->lastmatch = 0;
  st->has_last = 0;
  lua_pushcclosure(L, gmatch_next, 3);
  return 1;
}

/* ---- gsub ---- */

static outbuf *out_reserve(lua_State *L, size_t more) {
  outbuf *b = lua_touserdata(L, GSUB_BUF);
  size_t len = b ? b->len : 0, cap = b ? b->cap : 0;
  if (b && cap - len >= more) return b;
  if (more > (size_t)-1 / 2 - sizeof *b - len) luaL_error(L, "resulting string too large");
  size_t want = cap ? cap * 2 : 256;
  while (want - len < more) want *= 2;
  outbuf *nb = lua_newuserdatauv(L, sizeof *nb + want, 0);
  nb->len = len;
  nb->cap = want;
  if (len) memcpy(nb->data, b->data, len);
  lua_replace(L, GSUB_BUF);
  return nb;
}

static void out_add(lua_State *L, const char *s, size_t len) {
  if (!len) return;
  outbuf *b = out_reserve(L, len);
  memcpy(b->data + b->len, s, len);
  b->len += len;
}

/* Adds the value on top of the stack (popped) as a string. */
static void out_add_value(lua_State *L) {
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  lua_pushvalue(L, -1);                     /* anchored while the buffer grows */
  out_add(L, s, len);
  lua_pop(L, 2);
}

/* The replacement string for the match s..e: %0-%9 and %%. */
static void add_repl_string(lua_State *L, const otp_pat *m, size_t s, size_t e) {
  size_t l;
  const char *r = lua_tolstring(L, 3, &l);
  const char *at;
  while ((at = memchr(r, '%', l)) != NULL) {
    out_add(L, r, (size_t)(at - r));
    at++;
    char c = at < r + l ? *at : '\0';
    if (c == '%') {
      out_add(L, "%", 1);
    } else if (c == '0') {
      out_add(L, m->src + s, e - s);
    } else if (c >= '1' && c <= '9') {
      push_capture(L, m, c - '1', s, e);
      out_add_value(L);
    } else {
      luaL_error(L, "invalid use of '%%' in replacement string");
    }
    l -= (size_t)(at + 1 - r);
    r = at + 1;
  }
  out_add(L, r, l);
}

/* The value a table or function gave for the match s..e (on top). */
static void add_repl_result(lua_State *L, const otp_pat *m, size_t s, size_t e) {
  if (!lua_toboolean(L, -1)) {
    lua_pop(L, 1);
    out_add(L, m->src + s, e - s);          /* false or nil: keep the match */
  } else if (!lua_isstring(L, -1)) {
    luaL_error(L, "invalid replacement value (a %s)", luaL_typename(L, -1));
  } else {
    out_add_value(L);
  }
}

/* After a match ending at e: the subject goes on from there. */
static void gsub_matched(job *j, size_t e) {
  j->n++;
  j->s1 = j->lastmatch = e;
  j->has_last = 1;
}

static int gsub_finish(lua_State *L, job *j) {
  out_add(L, j->m.src + j->s1, j->m.src_len - j->s1);
  outbuf *b = lua_touserdata(L, GSUB_BUF);
  if (b) lua_pushlstring(L, b->data, b->len);
  else lua_pushliteral(L, "");
  lua_pushinteger(L, j->n);
  return 2;
}

static int gsub_drive(lua_State *L, job *j) {
  while (j->n < j->max_n) {
    if (j->phase == PH_CALLED) {              /* the function's value is on top */
      size_t s = j->s1, e = j->m.end;
      add_repl_result(L, &j->m, s, e);
      gsub_matched(j, e);
      j->phase = PH_START;
      if (j->anchor) break;
      continue;
    }
    if (j->phase == PH_START) {
      start_attempt(j);
      j->phase = PH_RUN;
    }
    int r = run_attempt(L, &j, gsub_k);
    j->phase = PH_START;
    size_t s = j->s1, e = j->m.end;
    if (r == OTP_PAT_MATCH && !(j->has_last && e == j->lastmatch)) {
      int tr = lua_type(L, 3);
      if (tr == LUA_TFUNCTION) {
        j = keep(L, j);                       /* the function may yield */
        lua_pushvalue(L, 3);
        int n = push_captures(L, &j->m, 1, s, e);
        j->phase = PH_CALLED;
        lua_callk(L, n, 1, 0, gsub_k);
        continue;                             /* handled as PH_CALLED above */
      }
      if (tr == LUA_TTABLE) {
        push_capture(L, &j->m, 0, s, e);
        lua_gettable(L, 3);
        add_repl_result(L, &j->m, s, e);
      } else {
        add_repl_string(L, &j->m, s, e);
      }
      gsub_matched(j, e);
    } else if (j->s1 < j->m.src_len) {
      out_add(L, j->m.src + j->s1, 1);
      j->s1++;
      j->work++;
    } else {
      break;
    }
    if (j->anchor) break;
  }
  return gsub_finish(L, j);
}

static int gsub_k(lua_State *L, int status, lua_KContext ctx) {
  (void)status;
  (void)ctx;
  job *j = lua_touserdata(L, GSUB_TOP + 1);
  if (j->phase != PH_CALLED) lua_settop(L, GSUB_TOP + 1);
  else lua_settop(L, GSUB_TOP + 2);          /* the function's one value */
  reattach(L, j, 1, 2);
  return gsub_drive(L, j);
}

static int sb_gsub(lua_State *L) {
  size_t ls, lp;
  const char *s = luaL_checklstring(L, 1, &ls);
  const char *p = luaL_checklstring(L, 2, &lp);
  int tr = lua_type(L, 3);
  lua_Integer max_n = luaL_optinteger(L, 4, (lua_Integer)ls + 1);
  luaL_argexpected(L, tr == LUA_TNUMBER || tr == LUA_TSTRING || tr == LUA_TFUNCTION ||
                   tr == LUA_TTABLE, 3, "string/function/table");
  lua_settop(L, GSUB_TOP - 1);
  lua_pushnil(L);                             /* the output buffer */
  lua_pushnil(L);                             /* the job's slot */
  job j;
  job_init(&j, OP_GSUB, s, ls, p, lp);
  j.slot = GSUB_TOP + 1;
  j.max_n = max_n;
  return gsub_drive(L, &j);
}

void otp_pattern_register(lua_State *L) {
  if (!otp_vm_of(L)->sandbox) return;
  static const luaL_Reg funcs[] = {
    {"find", sb_find}, {"match", sb_match}, {"gmatch", sb_gmatch}, {"gsub", sb_gsub},
    {NULL, NULL}
  };
  otp_library_replace(L, "string", funcs);
}
