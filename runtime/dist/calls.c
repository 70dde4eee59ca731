/*
** What the bindings call (node->dist_ops, core/dist_ops.h): send to a
** registered name of another node, rpc through its rex, spawn_on, the
** connected nodes, connect, disconnect and monitor_node.  Encoding may
** raise badarg; the buffers being written are held by userdata, so an
** error leaks nothing.
*/
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "dist/dist_internal.h"
#include "core/node.h"
#include "core/remote.h"
#include "core/term.h"
#include "core/xcopy.h"
#include "lua/lotp.h"

#define XBUF_MT "otp.dist.xbuf"
#define XCODE_MT "otp.dist.code"

static void xbuf_free(ei_x_buff *x) {
  if (x->buff) ei_x_free(x);
  x->buff = NULL;
}

static int xbuf_gc(lua_State *L) {
  xbuf_free(luaL_checkudata(L, 1, XBUF_MT));
  return 0;
}

/* A buffer held by a userdata on L: an encoding error raises without leaking it. */
static ei_x_buff *push_xbuf(lua_State *L) {
  ei_x_buff *x = lua_newuserdatauv(L, sizeof *x, 0);
  x->buff = NULL;
  if (luaL_newmetatable(L, XBUF_MT)) {
    lua_pushcfunction(L, xbuf_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  ei_x_new_with_version(x);
  return x;
}

/* REG_SEND {6, From, '', Name} and the message in msg. */
static void reg_send(struct otp_dist *d, dist_conn *c, otp_pid from, const char *name,
                     ei_x_buff *msg) {
  ei_x_buff ctl;
  ei_x_new_with_version(&ctl);
  ei_x_encode_tuple_header(&ctl, 4);
  ei_x_encode_long(&ctl, 6);
  erlang_pid e;
  otp_dist_pid_out(&d->cx, from, &e);
  ei_x_encode_pid(&ctl, &e);
  ei_x_encode_atom(&ctl, "");
  ei_x_encode_atom(&ctl, name);
  wire_send(c, ctl.buff, ctl.index, msg->buff, msg->index);
  ei_x_free(&ctl);
}

static otp_pid current_pid(otp_node *node) {
  return node->current ? node->current->pid : OTP_PID_NONE;
}

static void dist_send(otp_node *node, lua_State *L, int name_idx, const char *peer,
                      int msg_idx) {
  struct otp_dist *d = dist_of(node);
  name_idx = lua_absindex(L, name_idx);
  msg_idx = lua_absindex(L, msg_idx);
  ei_x_buff *x = push_xbuf(L);
  otp_dist_encode(&d->cx, L, msg_idx, x);
  size_t name_len;
  const char *name = lua_tolstring(L, name_idx, &name_len);
  if (name_len >= MAXATOMLEN) otp_raise(L, "badarg: '%s' is too long for a registered name", name);
  dist_conn *c = dist_conn_to(d, peer, 1);
  if (c) reg_send(d, c, current_pid(node), name, x);
  xbuf_free(x);
  lua_pop(L, 1);
}

/* The fields pid, ref: who asks, and the tag of the answer. */
static void put_pid_ref(struct otp_dist *d, ei_x_buff *x, otp_pid pid, uint64_t ref) {
  dist_put_pid(d, x, pid);
  dist_put_ref(d, x, ref);
}

static void dist_rpc(otp_node *node, lua_State *L, const char *peer, int mod, int fn, int args,
                     otp_pid self, otp_pid gl, uint64_t ref) {
  struct otp_dist *d = dist_of(node);
  mod = lua_absindex(L, mod);
  fn = lua_absindex(L, fn);
  args = lua_absindex(L, args);
  ei_x_buff *x = push_xbuf(L);
  ei_x_encode_tuple_header(x, 3);
  ei_x_encode_atom(x, "$gen_call");
  ei_x_encode_tuple_header(x, 2);
  put_pid_ref(d, x, self, ref);
  ei_x_encode_tuple_header(x, 5);
  ei_x_encode_atom(x, "call");
  ei_x_encode_atom(x, lua_tostring(L, mod));
  ei_x_encode_atom(x, lua_tostring(L, fn));
  otp_dist_encode_list(&d->cx, L, args, x);
  erlang_pid leader;                       /* where what it prints goes: see rpc.lua */
  otp_dist_pid_out(&d->cx, gl, &leader);
  ei_x_encode_pid(x, &leader);
  dist_conn *c = dist_conn_to(d, peer, 1);
  if (c) reg_send(d, c, self, "rex", x);
  xbuf_free(x);
  lua_pop(L, 1);
}

static int xcode_gc(lua_State *L) {
  otp_xbuf **b = luaL_checkudata(L, 1, XCODE_MT);
  otp_xbuf_free(*b);
  *b = NULL;
  return 0;
}

/* The function at fn as xcopy spawn-mode bytes held by a userdata (freed
** on an error too), its pids and refs in the array pushed below it. */
static otp_xbuf *push_code(lua_State *L, int fn) {
  lua_newtable(L);
  otp_xbuf **b = lua_newuserdatauv(L, sizeof *b, 0);
  *b = NULL;
  if (luaL_newmetatable(L, XCODE_MT)) {
    lua_pushcfunction(L, xcode_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  *b = otp_xencode_with(L, fn, 1, OTP_COPY_SPAWN, "the spawned function", -2);
  return *b;
}

/* {"$otplab_spawn", From, Ref, Code, Args, Terms}: Terms are the pids and
** refs the code holds (upvalues), so that they cross as Erlang terms and
** name the same processes over there. */
static void dist_spawn(otp_node *node, lua_State *L, const char *peer, otp_pid from,
                       uint64_t ref, int fn, int args) {
  struct otp_dist *d = dist_of(node);
  fn = lua_absindex(L, fn);
  args = lua_absindex(L, args);
  otp_xbuf *code = push_code(L, fn);
  int terms = lua_gettop(L) - 1;
  ei_x_buff *xp = push_xbuf(L);
  ei_x_encode_tuple_header(xp, 6);
  ei_x_encode_atom(xp, DIST_SPAWN_NAME);
  put_pid_ref(d, xp, from, ref);
  ei_x_encode_binary(xp, otp_xbuf_data(code), (long)otp_xbuf_size(code));
  otp_dist_encode(&d->cx, L, args, xp);     /* may raise badarg: the buffers' __gc free them */
  otp_dist_encode(&d->cx, L, terms, xp);
  dist_conn *c = dist_conn_to(d, peer, 1);
  if (c) reg_send(d, c, from, DIST_SPAWN_NAME, xp);
  xbuf_free(xp);
  lua_pop(L, 3);
}

static void dist_push_nodes(otp_node *node, lua_State *L) {
  lua_newtable(L);
  int i = 0;
  for (dist_conn *c = dist_of(node)->conns; c; c = c->next) {
    if (c->state != CONN_UP) continue;
    lua_pushstring(L, c->peer);
    lua_rawseti(L, -2, ++i);
  }
  otp_sort_list(L);
}

static int dist_connect(otp_node *node, const char *peer, otp_pid waiter, uint64_t ref) {
  struct otp_dist *d = dist_of(node);
  if (strcmp(peer, d->name) == 0) return 1;
  if (!dist_valid_peer(peer)) return -1;
  dist_conn *c = dist_conn_to(d, peer, 1);
  if (!c) return -1;
  if (c->state == CONN_UP) return 1;
  dist_waiter *w = calloc(1, sizeof *w);
  if (!w) return -1;
  w->pid = waiter;
  w->ref = ref;
  w->next = c->waiters;
  c->waiters = w;
  return 0;
}

static int dist_disconnect(otp_node *node, const char *peer, uint64_t block_ms) {
  dist_block_node(dist_of(node), peer, block_ms);
  dist_conn *c = dist_conn_to(dist_of(node), peer, 0);
  if (!c) return 0;
  int was_up = c->state == CONN_UP;
  dist_conn_drop(c, "disconnected by otp.disconnect");
  return was_up;
}

static void dist_monitor_node(otp_node *node, const char *peer, otp_pid pid, int on) {
  struct otp_dist *d = dist_of(node);
  uint32_t idx = otp_remote_node(node, peer);
  if (!on) {                      /* one monitor off: the newest */
    for (size_t i = d->nwatches; i-- > 0;)
      if (d->watches[i].pid == pid && d->watches[i].node_idx == idx) {
        memmove(&d->watches[i], &d->watches[i + 1], (d->nwatches - i - 1) * sizeof *d->watches);
        d->nwatches--;
        break;
      }
    return;
  }
  if (!idx) return;
  if (d->nwatches == d->capwatches) {
    size_t cap = d->capwatches ? d->capwatches * 2 : 8;
    node_watch *w = realloc(d->watches, cap * sizeof *w);
    if (!w) return;
    d->watches = w;
    d->capwatches = cap;
  }
  d->watches[d->nwatches++] = (node_watch){pid, idx};
  if (!dist_conn_to(d, peer, 1)) dist_nodedown(d, peer, idx);    /* cannot even try: down now */
}


void dist_call_ops(otp_dist_ops *ops) {
  ops->send_name = dist_send;
  ops->push_nodes = dist_push_nodes;
  ops->connect = dist_connect;
  ops->disconnect = dist_disconnect;
  ops->monitor_node = dist_monitor_node;
  ops->rpc = dist_rpc;
  ops->spawn = dist_spawn;
}
