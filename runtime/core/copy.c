/*
** Deep copy.  A walk of the value.  A message or an exit reason is first
** copied as a tree: the tables met are only listed by address in a C array,
** with no Lua table of copies.  Should a table turn up twice (a shared
** sub-table or a cycle), or more than TREE_CAP tables, the walk starts
** again with a "seen" table mapping every table to its copy, which keeps
** sharing and cycles.  Spawn mode always keeps one (functions share upvalue
** cells), made when a second table or a function turns up.
*/
#include <string.h>
#include <lauxlib.h>
#include "core/copy.h"
#include "core/alloc.h"
#include "core/clone.h"
#include "core/node.h"
#include "core/proc.h"
#include "core/term.h"

#define MAX_DEPTH 10000
#define TREE_CAP 16   /* tables a tree copy lists by address, before a seen table */

typedef struct frame {
  const struct frame *up;
  int src, dst;        /* the table or function being copied, and its copy */
  int key;             /* stack index of the key being copied, 0 if none */
  const char *upvalue; /* name of the upvalue being copied, or NULL */
} frame;

typedef struct copier {
  lua_State *L;
  otp_node *node;
  otp_vm *vm;
  otp_copy_mode mode;
  const char *root;
  int root_index;      /* several values copied together: which one (-1: one) */
  int tree;            /* copying as a tree (see top) */
  int restart;         /* the tree copy met a table twice: start again */
  const void *met[TREE_CAP];
  int nmet;
  int has_seen;        /* tables already copied are being recorded */
  int seen;            /* stack slot of the seen table (nil until needed);
                          also maps cell ids and function copies (spawn) */
  int env;             /* child's globals (spawn); nil until child's are made */
  struct otp_proc *child;   /* whose globals fill the env slot, or NULL */
  int depth;
} copier;

static void copy_value(copier *c, int idx, const frame *up);

/* Pushes one step of a path: ".name", "[3]" or " (upvalue 'x')". */
static void push_step(lua_State *L, const frame *f) {
  if (f->upvalue) lua_pushfstring(L, " (upvalue '%s')", f->upvalue);
  else if (f->key && lua_type(L, f->key) == LUA_TSTRING)
    lua_pushfstring(L, ".%s", lua_tostring(L, f->key));
  else if (f->key && lua_isinteger(L, f->key))
    lua_pushfstring(L, "[%I]", lua_tointeger(L, f->key));
  else if (f->key) lua_pushfstring(L, "[<%s key>]", luaL_typename(L, f->key));
  else lua_pushliteral(L, "");
}

#define PATH_HEAD 4
#define PATH_TAIL 6

/* Pushes the path of the value being copied ("msg.items[3]"); a deep one
** keeps its first and last steps. */
static void push_path(copier *c, const frame *f) {
  lua_State *L = c->L;
  int depth = 0;
  for (const frame *g = f; g; g = g->up) depth++;
  luaL_checkstack(L, PATH_HEAD + PATH_TAIL + 4, "building an error message");
  int base = lua_gettop(L);
  if (c->root_index > 0) lua_pushfstring(L, "argument %d", c->root_index);
  else lua_pushstring(L, c->root);
  int i = depth;           /* frames are linked from the deepest up */
  for (const frame *g = f; g; g = g->up, i--) {
    if (i > PATH_HEAD && i <= depth - PATH_TAIL) {
      if (i == PATH_HEAD + 1) lua_pushliteral(L, "...");
      continue;
    }
    push_step(L, g);
  }
  /* the steps were pushed deepest first: reverse them after the root */
  for (int a = base + 2, b = lua_gettop(L); a < b; a++, b--) {
    lua_pushvalue(L, a);
    lua_pushvalue(L, b);
    lua_replace(L, a);
    lua_replace(L, b);
  }
  lua_concat(L, lua_gettop(L) - base);
}

static void refuse(copier *c, const frame *up, const char *what) {
  lua_State *L = c->L;
  if (c->mode == OTP_COPY_LENIENT) {
    lua_pushfstring(L, "<%s>", what);
    return;
  }
  c->node->charge = c->node->current;   /* the sender pays again */
  c->node->charge_forced = 0;
  push_path(c, up);
  otp_raise(L,
             "badarg: %s cannot be sent between processes (at %s); only nil, "
             "booleans, numbers, strings, plain tables, pids and refs can",
             what, lua_tostring(L, -1));
}

/* Records the copy at dst of the table or function at src. */
static void remember(copier *c, int src, int dst) {
  lua_State *L = c->L;
  if (lua_isnil(L, c->seen)) {   /* room for a closure's entries (itself, its */
    lua_createtable(L, 0, 4);     /* copy, a cell) without rehashing on the way */
    lua_replace(L, c->seen);
  }
  lua_pushvalue(L, src);
  lua_pushvalue(L, dst);
  lua_rawset(L, c->seen);
}

/* Starts recording (spawn mode), with every table being copied on the way down. */
static void need_seen(copier *c, const frame *f) {
  if (c->has_seen || c->tree) return;
  c->has_seen = 1;
  for (; f; f = f->up) remember(c, f->src, f->dst);
}

static int found_seen(copier *c, int idx) {
  lua_State *L = c->L;
  if (!c->has_seen || lua_isnil(L, c->seen)) return 0;
  lua_pushvalue(L, idx);
  if (lua_rawget(L, c->seen) != LUA_TNIL) return 1;
  lua_pop(L, 1);
  return 0;
}

/* A tree copy enters the table at idx: lists it, or, met before or one
** too many, asks for the walk to start again with a seen table. */
static int tree_enter(copier *c, int idx) {
  const void *p = lua_topointer(c->L, idx);
  for (int i = 0; i < c->nmet; i++)
    if (c->met[i] == p) c->nmet = TREE_CAP;
  if (c->nmet == TREE_CAP) {
    c->restart = 1;
    return 1;
  }
  c->met[c->nmet++] = p;
  return 0;
}

/* Is the table at idx one that every process shares (modules, libraries)? */
static int is_shared(copier *c, int idx) {
  lua_State *L = c->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->vm->shared_ref);
  lua_pushvalue(L, idx);
  int shared = lua_rawget(L, -2) != LUA_TNIL;
  lua_pop(L, 2);
  return shared;
}

static int is_env(copier *c, int idx) {
  lua_State *L = c->L;
  if (!lua_getmetatable(L, idx)) return 0;
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->vm->env_mt_ref);
  int yes = lua_rawequal(L, -1, -2);
  lua_pop(L, 2);
  return yes;
}

/* The fields of a table without an array part (a record, a module, an
** options table), counted so that its copy is made at its size: filled
** from empty, its hash part would be rebuilt at every power of two. */
static int record_size(lua_State *L, int idx, int narray) {
  if (narray > 0) return 0;
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    n++;
  }
  return n;
}

/* Is the value at idx (of type t) one a copy passes on as it is? */
static int is_scalar(lua_State *L, int t, int idx) {
  return t == LUA_TSTRING || t == LUA_TNUMBER || t == LUA_TBOOLEAN || t == LUA_TNIL ||
         (t == LUA_TUSERDATA && otp_is_term_udata(L, idx));
}

/* Most messages are arrays of scalars ({"token", k}, {"EXIT", pid,
** reason}): copied by index, without walking keys. Only for a table with
** no key after its border n, and only while each value is a scalar; 0
** (whatever was set is set again by the general walk) otherwise. */
static int copy_flat_array(copier *c, int idx, int dst, int n) {
  lua_State *L = c->L;
  lua_pushinteger(L, n);
  if (lua_next(L, idx)) {          /* keys beyond the array */
    lua_pop(L, 2);
    return 0;
  }
  for (int i = 1; i <= n; i++) {
    int t = lua_rawgeti(L, idx, i);
    if (!is_scalar(L, t, -1)) {
      lua_pop(L, 1);
      return 0;
    }
    lua_rawseti(L, dst, i);
  }
  return 1;
}

static void copy_table(copier *c, int idx, const frame *up) {
  lua_State *L = c->L;
  if (!c->tree && found_seen(c, idx)) return;
  int has_mt = lua_getmetatable(L, idx);
  if (has_mt) lua_pop(L, 1);
  if (has_mt || c->mode == OTP_COPY_SPAWN) {
    if (is_shared(c, idx)) {
      lua_pushvalue(L, idx);
      return;
    }
    if (has_mt && is_env(c, idx)) {
      if (c->mode == OTP_COPY_SPAWN) {
        if (c->child && lua_isnil(L, c->env)) {
          otp_proc_push_env(L, c->child);
          lua_replace(L, c->env);
        }
        lua_pushvalue(L, c->env);
      }
      else refuse(c, up, "a process's globals table");
      return;
    }
    if (has_mt && c->mode != OTP_COPY_SPAWN) {
      refuse(c, up, "a table with a metatable");
      return;
    }
  }
  if (c->tree && tree_enter(c, idx)) return;
  if (++c->depth > MAX_DEPTH) {
    c->depth--;
    refuse(c, up, "a value nested more than 10000 levels deep");
    return;
  }
  /* A level uses at most 8 slots (the first is in copy_all's room). Asking
  ** for no more than that keeps a shallow copy within the 20 a C function
  ** has (a stack grown beyond its usual size is shrunk back by whichever
  ** process runs the collector). */
  if (c->depth > 1 && !otp_checkstack_own(L, 8))
    luaL_error(L, "stack overflow (copying a deeply nested value)");
  int narray = (int)lua_rawlen(L, idx);
  lua_createtable(L, narray, record_size(L, idx, narray));
  frame f = {up, idx, lua_gettop(L), 0, NULL};
  if (c->has_seen) remember(c, idx, f.dst);
  if (narray > 0 && copy_flat_array(c, idx, f.dst, narray)) goto copied;
  lua_pushnil(L);
  /* lua_next leaves key and value just above the copy */
  const int k = f.dst + 1, v = f.dst + 2;
  f.key = k;
  while (lua_next(L, idx)) {
    int kt = lua_type(L, k), vt = lua_type(L, v);
    int scalar = is_scalar(L, vt, v);
    int int_key = 0;
    lua_Integer ik = kt == LUA_TNUMBER ? lua_tointegerx(L, k, &int_key) : 0;
    if (int_key && scalar) {           /* the common case: store v itself */
      lua_rawseti(L, f.dst, ik);
      continue;
    }
    /* (a function starts recording itself if it is copied, not passed on) */
    if (kt == LUA_TTABLE || vt == LUA_TTABLE) need_seen(c, &f);
    if (!int_key) {
      if (kt == LUA_TSTRING || kt == LUA_TNUMBER) lua_pushvalue(L, k);
      else copy_value(c, k, &f);
      if (c->restart) return;
    }
    if (scalar) lua_pushvalue(L, v);
    else copy_value(c, v, &f);
    if (c->restart) return;
    if (int_key) lua_rawseti(L, f.dst, ik);
    else lua_rawset(L, f.dst);
    lua_pop(L, 1);
  }
copied:
  if (has_mt) {   /* spawn mode: the metatable goes along */
    lua_getmetatable(L, idx);
    int mt = lua_gettop(L);
    need_seen(c, &f);
    copy_value(c, mt, &f);
    otp_setmetatable_inert(L, f.dst);
    lua_pop(L, 1);
  }
  c->depth--;
}

/* The cell `id` of a source function was already copied into the function
** at `other`: make upvalue i of dst share that copied cell. The copy's cell
** index is found through the source closure recorded for it in seen. */
static void join_cell(copier *c, int dst, int i, int other, void *id) {
  lua_State *L = c->L;
  lua_pushvalue(L, other);                  /* copy -> its source function */
  lua_rawget(L, c->seen);
  int src = lua_gettop(L);
  for (int j = 1; lua_getupvalue(L, src, j); j++) {
    lua_pop(L, 1);
    if (lua_upvalueid(L, src, j) == id) {
      lua_upvaluejoin(L, dst, i, other, j);
      break;
    }
  }
  lua_pop(L, 1);
}

static void copy_function(copier *c, int idx, const frame *up) {
  lua_State *L = c->L;
  if (lua_iscfunction(L, idx)) {   /* code without Lua state: shared */
    lua_pushvalue(L, idx);
    return;
  }
  if (found_seen(c, idx)) return;
  if (is_shared(c, idx)) {         /* a module's function (env.c) */
    lua_pushvalue(L, idx);
    return;
  }
  if (!otp_checkstack_own(L, 8)) luaL_error(L, "stack overflow (copying a function)");
  int n = 0, module_code = 0;
  const char *name;
  while ((name = lua_getupvalue(L, idx, n + 1)) != NULL) {
    n++;
    if (strcmp(name, "_ENV") == 0 && lua_istable(L, -1))
      module_code = is_shared(c, lua_gettop(L));
    lua_pop(L, 1);
  }
  /* a module's function is code, shared like its table; so is a closure
  ** with no upvalues at all: it holds no state a process could see change */
  if (module_code || n == 0) {
    lua_pushvalue(L, idx);
    return;
  }
  if (otp_clone_factory(L, idx) != 0) {
    lua_pop(L, 1);
    refuse(c, up, "a function that cannot be copied");
    return;
  }
  for (int i = 0; i < n; i++) lua_pushnil(L);
  lua_call(L, n, 1);
  frame f = {up, idx, lua_gettop(L), 0, NULL};
  need_seen(c, &f);
  remember(c, idx, f.dst);
  remember(c, f.dst, idx);                  /* and back, for join_cell */
  for (int i = 1; i <= n; i++) {
    f.upvalue = lua_getupvalue(L, idx, i);
    int v = lua_gettop(L);
    void *id = lua_upvalueid(L, idx, i);
    /* seen[cell id] = a copy already holding that cell: join it */
    lua_pushlightuserdata(L, id);
    if (lua_rawget(L, c->seen) == LUA_TFUNCTION) {
      join_cell(c, f.dst, i, lua_gettop(L), id);
      lua_pop(L, 2);
      continue;
    }
    lua_pop(L, 1);
    copy_value(c, v, &f);
    lua_setupvalue(L, f.dst, i);
    lua_pop(L, 1);
    lua_pushlightuserdata(L, id);
    lua_pushvalue(L, f.dst);
    lua_rawset(L, c->seen);
  }
}

static void copy_value(copier *c, int idx, const frame *up) {
  lua_State *L = c->L;
  switch (lua_type(L, idx)) {
    case LUA_TTABLE:
      copy_table(c, idx, up);
      break;
    case LUA_TFUNCTION:
      if (c->mode == OTP_COPY_SPAWN) copy_function(c, idx, up);
      else refuse(c, up, "a function");
      break;
    case LUA_TUSERDATA:
      if (otp_is_term_udata(L, idx)) lua_pushvalue(L, idx);
      else refuse(c, up, "a userdata");
      break;
    case LUA_TTHREAD:
      refuse(c, up, "a coroutine");
      break;
    case LUA_TLIGHTUSERDATA:
      refuse(c, up, "a light userdata");
      break;
    default:
      lua_pushvalue(L, idx);
  }
}

static void copy_values(copier *c, int first, int n) {
  for (int i = 0; i < n && !c->restart; i++) {
    c->root_index = n > 1 ? i : -1;
    copy_value(c, first + i, NULL);
  }
}

static void copy_all(lua_State *L, int first, int n, otp_copy_mode mode,
                     const char *root, int env, struct otp_proc *child) {
  copier c = {.L = L, .vm = otp_vm_of(L), .node = otp_node_of(L), .mode = mode,
              .root = root, .root_index = -1, .child = child};
  first = lua_absindex(L, first);
  if (env) c.env = lua_absindex(L, env);
  if (!otp_checkstack_own(L, n + 16)) luaL_error(L, "stack overflow (copying values)");
  int base = lua_gettop(L);
  if (mode != OTP_COPY_SPAWN) {
    c.tree = 1;
    copy_values(&c, first, n);
    if (!c.restart) return;
    lua_settop(L, base);       /* a table met twice: again, keeping sharing */
    c.tree = c.restart = c.depth = 0;
    c.has_seen = 1;
  }
  lua_pushnil(L);
  c.seen = base + 1;
  copy_values(&c, first, n);
  lua_remove(L, c.seen);       /* the copies go where the slot was */
}

void otp_copy(lua_State *L, int idx, otp_copy_mode mode, const char *root, int env) {
  int t = lua_type(L, idx);
  if (t != LUA_TTABLE && t != LUA_TFUNCTION && t != LUA_TUSERDATA &&
      t != LUA_TTHREAD && t != LUA_TLIGHTUSERDATA) {
    lua_pushvalue(L, idx);
    return;
  }
  copy_all(L, idx, 1, mode, root, env, NULL);
}

void otp_copy_spawn(lua_State *L, int first, int n, int env, struct otp_proc *child) {
  copy_all(L, first, n, OTP_COPY_SPAWN, "the spawned function", env, child);
}
