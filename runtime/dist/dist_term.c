/*
** Erlang terms <-> Lua values (the rule is in dist_term.h).  Decoding never
** raises: a term otplab cannot represent becomes {"unsupported_term", WHAT}
** in its place, so the rest of the message still arrives.
*/
#include <string.h>
#include <stdlib.h>
#include <lauxlib.h>
#include "dist/dist_term.h"
#include <stdio.h>
#include "core/remote.h"
#include "core/term.h"
#include "core/ekind.h"

#define MAX_DEPTH 200   /* deeper terms arrive as the error value */
#define MAX_ATOM_OUT 255

/* Skips a term already walked by otp_dist_check_term (the same walk, so it
** stays inside the buffer; ei_skip_term would trust a fun's inner fields). */
static int skip_term(const char *buf, int *index) {
  size_t at = (size_t)*index;
  if (otp_dist_check_term(buf, (size_t)-1, &at) != 0) return -1;
  *index = (int)at;
  return 0;
}

static void push_unsupported(lua_State *L, const char *what) {
  lua_createtable(L, 2, 0);
  lua_pushliteral(L, "unsupported_term");
  lua_rawseti(L, -2, 1);
  lua_pushstring(L, what);
  lua_rawseti(L, -2, 2);
}

static const char *kind_name(int type) {
  switch (type) {
  case ERL_PID_EXT: case ERL_NEW_PID_EXT: return "pid";
  case ERL_REFERENCE_EXT: return "reference of an old format";
  case ERL_PORT_EXT: case ERL_NEW_PORT_EXT: case ERL_V4_PORT_EXT: return "port";
  case ERL_FUN_EXT: case ERL_NEW_FUN_EXT: case ERL_EXPORT_EXT: return "fun";
  case ERL_SMALL_BIG_EXT: case ERL_LARGE_BIG_EXT: return "integer of more than 4000 digits";
  default: return "term";
  }
}

typedef const otp_dist_ctx ctx_t;
static int push_term(ctx_t *cx, lua_State *L, const char *buf, int *index, int depth);

/* Pushes arity elements into a fresh array. */
static int push_elements(ctx_t *cx, lua_State *L, const char *buf, int *index, int arity,
                         int depth) {
  lua_createtable(L, arity, 0);
  for (int i = 1; i <= arity; i++) {
    if (push_term(cx, L, buf, index, depth + 1) != 0) return -1;
    lua_rawseti(L, -2, i);
  }
  return 0;
}

static int push_list(ctx_t *cx, lua_State *L, const char *buf, int *index, int depth) {
  int arity, type, size;
  int nil = (unsigned char)buf[*index] == ERL_NIL_EXT;   /* else LIST_EXT, even of 0 elements */
  if (ei_decode_list_header(buf, index, &arity) < 0) return -1;
  if (push_elements(cx, L, buf, index, arity, depth) != 0) return -1;
  if (nil) return 0;
  if (ei_get_type(buf, index, &type, &size) < 0) return -1;
  if (type == ERL_NIL_EXT) return skip_term(buf, index);
  lua_pop(L, 1);                                    /* [a | b]: improper */
  if (skip_term(buf, index) < 0) return -1;
  push_unsupported(L, "improper list");
  return 0;
}

static int push_map(ctx_t *cx, lua_State *L, const char *buf, int *index, int depth) {
  int arity;
  if (ei_decode_map_header(buf, index, &arity) < 0) return -1;
  lua_createtable(L, 0, arity);
  int compound = 0;
  for (int i = 0; i < arity; i++) {
    if (push_term(cx, L, buf, index, depth + 1) != 0) return -1;
    if (push_term(cx, L, buf, index, depth + 1) != 0) return -1;
    if (lua_istable(L, -2) ||                    /* a compound key: no Lua key equals it */
        (lua_type(L, -2) == LUA_TNUMBER && lua_tonumber(L, -2) != lua_tonumber(L, -2))) {
      compound = 1;
      lua_pop(L, 2);
      continue;
    }
    lua_rawset(L, -3);
  }
  if (compound) {
    lua_pop(L, 1);
    push_unsupported(L, "map with a compound or NaN key");
  }
  return 0;
}

static int push_term(ctx_t *cx, lua_State *L, const char *buf, int *index, int depth) {
  int type, size;
  if (ei_get_type(buf, index, &type, &size) < 0) return -1;
  if (depth > MAX_DEPTH) {
    if (skip_term(buf, index) < 0) return -1;
    push_unsupported(L, "term nested too deep");
    return 0;
  }
  if (!lua_checkstack(L, 4)) return -1;
  switch (type) {
  case ERL_ATOM_EXT: case ERL_SMALL_ATOM_EXT: case ERL_ATOM_UTF8_EXT:
  case ERL_SMALL_ATOM_UTF8_EXT: {
    char atom[MAXATOMLEN_UTF8];
    int at = *index;
    if (ei_decode_atom(buf, index, atom) < 0) {      /* not valid UTF-8, say */
      *index = at;
      if (skip_term(buf, index) < 0) return -1;
      push_unsupported(L, "atom ei cannot decode (not valid UTF-8?)");
      return 0;
    }
    if (strcmp(atom, "true") == 0) lua_pushboolean(L, 1);
    else if (strcmp(atom, "false") == 0) lua_pushboolean(L, 0);
    else lua_pushstring(L, atom);
    return 0;
  }
  case ERL_SMALL_INTEGER_EXT: case ERL_INTEGER_EXT: case ERL_SMALL_BIG_EXT:
  case ERL_LARGE_BIG_EXT: {
    long long n;
    int at = *index;
    if (ei_decode_longlong(buf, index, &n) == 0) {
      lua_pushinteger(L, (lua_Integer)n);
      return 0;
    }
    *index = at;
    if (type != ERL_SMALL_INTEGER_EXT && type != ERL_INTEGER_EXT &&
        dist_big_push(L, buf, index) == 0)
      return 0;
    if (skip_term(buf, index) < 0) return -1;
    push_unsupported(L, kind_name(type));
    return 0;
  }
  case ERL_FLOAT_EXT: case NEW_FLOAT_EXT: {
    double d;
    if (ei_decode_double(buf, index, &d) < 0) return -1;
    lua_pushnumber(L, d);
    return 0;
  }
  case ERL_BINARY_EXT: case ERL_STRING_EXT: {
    char *bytes = malloc((size_t)size + 1);
    long len = size;
    int r = !bytes ? -1
            : type == ERL_BINARY_EXT ? ei_decode_binary(buf, index, bytes, &len)
                                     : ei_decode_string(buf, index, bytes);
    if (r == 0)            /* their kind kept: they go back as they came (core/ekind.h) */
      otp_push_ekind(L, type == ERL_BINARY_EXT ? OTP_EK_BINARY : OTP_EK_CHARLIST, bytes,
                     (size_t)(type == ERL_BINARY_EXT ? len : size));
    free(bytes);
    return r < 0 ? -1 : 0;
  }
  case ERL_SMALL_TUPLE_EXT: case ERL_LARGE_TUPLE_EXT: {
    int arity;
    if (ei_decode_tuple_header(buf, index, &arity) < 0) return -1;
    return push_elements(cx, L, buf, index, arity, depth);
  }
  case ERL_PID_EXT: case ERL_NEW_PID_EXT: {
    erlang_pid pid;
    if (ei_decode_pid(buf, index, &pid) < 0) return -1;
    otp_pid v = otp_dist_pid_in(cx, &pid);
    if (v) otp_push_pid(L, v);
    else push_unsupported(L, "pid (too many pids of other nodes)");
    return 0;
  }
  case ERL_NEW_REFERENCE_EXT: case ERL_NEWER_REFERENCE_EXT: {
    erlang_ref ref;
    if (ei_decode_ref(buf, index, &ref) < 0) return -1;
    uint64_t v = otp_dist_ref_in(cx, &ref);
    if (v) otp_push_ref(L, v);
    else push_unsupported(L, "reference (too many refs of other nodes)");
    return 0;
  }
  case ERL_NIL_EXT: case ERL_LIST_EXT:
    return push_list(cx, L, buf, index, depth);
  case ERL_MAP_EXT:
    return push_map(cx, L, buf, index, depth);
  default:
    if (skip_term(buf, index) < 0) return -1;
    push_unsupported(L, kind_name(type));
    return 0;
  }
}

void otp_dist_push_term(const otp_dist_ctx *cx, lua_State *L, const char *buf, int *index) {
  int top = lua_gettop(L), start = *index;
  if (push_term(cx, L, buf, index, 0) != 0) {
    lua_settop(L, top);
    *index = start;                  /* past the whole term, as the walk found it */
    skip_term(buf, index);
    push_unsupported(L, "malformed term");
  }
}

/* ---- Lua -> Erlang ---- */

/* The length n if the table at idx is the array 1..n and nothing else, or -1. */
static lua_Integer array_length(lua_State *L, int idx) {
  lua_Integer n = (lua_Integer)lua_rawlen(L, idx), count = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    count++;
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n) {
      lua_pop(L, 1);
      return -1;
    }
  }
  return count == n ? n : -1;
}

static void encode(ctx_t *cx, lua_State *L, int idx, ei_x_buff *x, int depth) {
  idx = lua_absindex(L, idx);
  if (depth > MAX_DEPTH)
    otp_raise(L, "badarg: a message to another node may nest at most %d tables", MAX_DEPTH);
  luaL_checkstack(L, 4, "encoding a deep message");
  switch (lua_type(L, idx)) {
  case LUA_TBOOLEAN:
    ei_x_encode_boolean(x, lua_toboolean(L, idx));
    return;
  case LUA_TNUMBER:
    if (lua_isinteger(L, idx)) ei_x_encode_longlong(x, (long long)lua_tointeger(L, idx));
    else ei_x_encode_double(x, lua_tonumber(L, idx));
    return;
  case LUA_TSTRING: {
    size_t len;
    const char *s = lua_tolstring(L, idx, &len);
    if (len <= MAX_ATOM_OUT && memchr(s, 0, len) == NULL) ei_x_encode_atom_len(x, s, (int)len);
    else ei_x_encode_binary(x, s, (long)len);
    return;
  }
  case LUA_TTABLE: {
    if (lua_getmetatable(L, idx))
      otp_raise(L, "badarg: a table with a metatable cannot be sent to another node");
    lua_Integer n = array_length(L, idx);
    if (n >= 0) {
      ei_x_encode_tuple_header(x, (long)n);
      for (lua_Integer i = 1; i <= n; i++) {
        lua_rawgeti(L, idx, i);
        encode(cx, L, -1, x, depth + 1);
        lua_pop(L, 1);
      }
      return;
    }
    long count = 0;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pop(L, 1);
      count++;
    }
    ei_x_encode_map_header(x, count);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      encode(cx, L, -2, x, depth + 1);
      encode(cx, L, -1, x, depth + 1);
      lua_pop(L, 1);
    }
    return;
  }
  case LUA_TUSERDATA: {
    const char *bytes;
    size_t len;
    switch (otp_to_ekind(L, idx, &bytes, &len)) {
    case OTP_EK_BINARY:
      ei_x_encode_binary(x, bytes, (long)len);
      return;
    case OTP_EK_CHARLIST:
      ei_x_encode_string_len(x, bytes, (int)len);    /* a list of bytes if long */
      return;
    case OTP_EK_BIGINT:
      if (dist_big_encode(x, bytes, len) != 0) otp_raise(L, "limit: out of memory");
      return;
    default:
      break;
    }
    otp_pid pid = otp_to_pid(L, idx);
    uint64_t ref = pid ? 0 : otp_to_ref(L, idx);
    if (pid) {
      erlang_pid e;
      otp_dist_pid_out(cx, pid, &e);
      ei_x_encode_pid(x, &e);
      return;
    }
    if (ref) {
      otp_intern_ref(L, idx);     /* it may come back: as this same value */
      erlang_ref e;
      otp_dist_ref_out(cx, ref, &e);
      ei_x_encode_ref(x, &e);
      return;
    }
  }
  /* fallthrough */
  default:
    otp_raise(L, "badarg: %s cannot be sent to another node (a message to an Erlang "
              "node is built from booleans, numbers, strings, binaries, tables, pids and "
              "refs)",
              luaL_typename(L, idx));
  }
}

void otp_dist_encode(const otp_dist_ctx *cx, lua_State *L, int idx, ei_x_buff *x) {
  encode(cx, L, idx, x, 0);
}

void otp_dist_encode_list(const otp_dist_ctx *cx, lua_State *L, int idx, ei_x_buff *x) {
  idx = lua_absindex(L, idx);
  lua_Integer n = lua_istable(L, idx) ? array_length(L, idx) : -1;
  if (n < 0) otp_raise(L, "badarg: the arguments must be an array, got %s", luaL_typename(L, idx));
  if (n > 0) ei_x_encode_list_header(x, (long)n);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, idx, i);
    encode(cx, L, -1, x, 1);
    lua_pop(L, 1);
  }
  ei_x_encode_empty_list(x);
}

/* ---- pids and refs ----
** A local pid goes out as {self, Number = the low 32 bits of its serial,
** Serial = its slot and the serial's top 8 bits}, so Erlang prints the same
** number otplab does and it comes back as the same pid. */

otp_pid otp_dist_pid_in(const otp_dist_ctx *cx, const erlang_pid *e) {
  if (strcmp(e->node, cx->self) == 0) {
    uint64_t serial = e->num | ((uint64_t)(e->serial >> 24) << 32);
    otp_pid pid = otp_pid_make(serial, e->serial & 0xffffff);
    if (pid && !otp_is_remote(pid)) return pid;
  }
  uint32_t node_idx = otp_remote_node(cx->node, e->node);
  otp_remote_id id = {.kind = OTP_REMOTE_PID, .node = node_idx, .creation = e->creation,
                      .len = 2, .n = {e->num, e->serial}};
  return node_idx ? otp_remote_intern(cx->node, &id) : 0;
}

void otp_dist_pid_out(const otp_dist_ctx *cx, otp_pid pid, erlang_pid *e) {
  memset(e, 0, sizeof *e);
  const otp_remote_id *id = otp_remote_get(cx->node, pid);
  const char *node = id ? otp_remote_node_name(cx->node, id->node) : NULL;
  if (id && node) {
    snprintf(e->node, sizeof e->node, "%s", node);
    e->num = id->n[0];
    e->serial = id->n[1];
    e->creation = id->creation;
    return;
  }
  snprintf(e->node, sizeof e->node, "%s", cx->self);
  uint64_t serial = otp_pid_serial(pid);
  e->num = (unsigned)(serial & 0xffffffffu);
  e->serial = otp_pid_slot(pid) | (unsigned)((serial >> 32) & 0xff) << 24;
  e->creation = cx->creation;
}

uint64_t otp_dist_ref_in(const otp_dist_ctx *cx, const erlang_ref *e) {
  int len = e->len < 0 ? 0 : e->len > 5 ? 5 : e->len;
  if (strcmp(e->node, cx->self) == 0 && len == 3) {
    uint64_t id = (e->n[0] & 0x3ffffu) | (uint64_t)e->n[1] << 18 | (uint64_t)e->n[2] << 50;
    if (id && !otp_is_remote(id)) return id;
  }
  uint32_t node_idx = otp_remote_node(cx->node, e->node);
  otp_remote_id id = {.kind = OTP_REMOTE_REF, .node = node_idx, .creation = e->creation,
                      .len = (uint32_t)len};
  for (int i = 0; i < len; i++) id.n[i] = e->n[i];
  return node_idx ? otp_remote_intern(cx->node, &id) : 0;
}

void otp_dist_ref_out(const otp_dist_ctx *cx, uint64_t ref, erlang_ref *e) {
  memset(e, 0, sizeof *e);
  const otp_remote_id *id = otp_remote_get(cx->node, ref);
  const char *node = id ? otp_remote_node_name(cx->node, id->node) : NULL;
  if (id && node) {
    snprintf(e->node, sizeof e->node, "%s", node);
    e->len = (int)id->len;
    memcpy(e->n, id->n, sizeof e->n);
    e->creation = id->creation;
    return;
  }
  snprintf(e->node, sizeof e->node, "%s", cx->self);
  e->len = 3;
  e->n[0] = (unsigned)(ref & 0x3ffff);
  e->n[1] = (unsigned)((ref >> 18) & 0xffffffffu);
  e->n[2] = (unsigned)(ref >> 50);
  e->creation = cx->creation;
}
