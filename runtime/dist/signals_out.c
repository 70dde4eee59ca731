/*
** The core's signals to processes of other nodes (node->dist_ops): each
** becomes the control message erts would write.  Messages and links make a
** connection if there is none (Erlang connects on demand); the others only
** travel on an existing one, since without it the link or monitor they
** concern is already gone with a "noconnection".
*/
#include <string.h>
#include <lauxlib.h>
#include "dist/dist_internal.h"
#include "core/format.h"
#include "core/node.h"
#include "core/remote.h"
#include "core/signal.h"
#include "core/term.h"

static dist_conn *conn_for(otp_node *node, uint64_t remote, int connect) {
  struct otp_dist *d = node->dist_ops ? dist_of(node) : NULL;
  uint32_t idx = otp_remote_node_of(node, remote);
  return d && idx ? dist_conn_of_node(d, idx, connect) : NULL;
}

static int encode_value(lua_State *L) {
  otp_dist_encode(lua_touserdata(L, 1), L, 3, lua_touserdata(L, 2));
  return 0;
}

/* Encodes the value at idx; a value that cannot cross (an exit reason
** holding a function) goes as the text otplab prints for it. */
static void put_value(struct otp_dist *d, lua_State *L, ei_x_buff *x, int idx) {
  idx = lua_absindex(L, idx);
  int at = x->index;
  lua_pushcfunction(L, encode_value);
  lua_pushlightuserdata(L, &d->cx);
  lua_pushlightuserdata(L, x);
  lua_pushvalue(L, idx);
  if (lua_pcall(L, 3, 0, 0) == LUA_OK) return;
  lua_pop(L, 1);
  x->index = at;
  otp_format(L, idx, 1);
  size_t len;
  const char *s = lua_tolstring(L, -1, &len);
  ei_x_encode_binary(x, s, (long)len);
  lua_pop(L, 1);
}

static void send_ctl(dist_conn *c, ei_x_buff *ctl, ei_x_buff *msg) {
  wire_send(c, ctl->buff, ctl->index, msg ? msg->buff : NULL, msg ? msg->index : 0);
}

static void ctl_begin(ei_x_buff *x, int arity, long type) {
  ei_x_new_with_version(x);
  ei_x_encode_tuple_header(x, arity);
  ei_x_encode_long(x, type);
}

static void do_send(otp_node *node, lua_State *L, otp_pid from, otp_pid to, int msg_idx) {
  struct otp_dist *d = dist_of(node);
  ei_x_buff msg;
  ei_x_new_with_version(&msg);
  int top = lua_gettop(L);
  lua_pushcfunction(L, encode_value);
  lua_pushlightuserdata(L, &d->cx);
  lua_pushlightuserdata(L, &msg);
  lua_pushvalue(L, msg_idx);
  if (lua_pcall(L, 3, 0, 0) != LUA_OK) {          /* badarg: nothing was sent */
    ei_x_free(&msg);
    lua_error(L);
  }
  lua_settop(L, top);
  dist_conn *c = conn_for(node, to, 1);
  if (c) {
    ei_x_buff ctl;
    ctl_begin(&ctl, 3, DOP_SEND);
    ei_x_encode_atom(&ctl, "");
    dist_put_pid(d, &ctl, to);
    send_ctl(c, &ctl, &msg);
    ei_x_free(&ctl);
  }
  ei_x_free(&msg);
}

static void pair(otp_node *node, long type, otp_pid from, otp_pid to, int connect) {
  dist_conn *c = conn_for(node, to, connect);
  if (!c) return;
  ei_x_buff x;
  ctl_begin(&x, 3, type);
  dist_put_pid(dist_of(node), &x, from);
  dist_put_pid(dist_of(node), &x, to);
  send_ctl(c, &x, NULL);
  ei_x_free(&x);
}

static void do_link(otp_node *node, otp_pid from, otp_pid to) {
  pair(node, DOP_LINK, from, to, 1);
}

static void do_unlink(otp_node *node, otp_pid from, otp_pid to) {
  pair(node, DOP_UNLINK, from, to, 0);
}

static void do_exit(otp_node *node, lua_State *L, otp_pid from, otp_pid to, int reason,
                    int link) {
  dist_conn *c = conn_for(node, to, !link);
  if (!c) return;
  ei_x_buff x;
  ctl_begin(&x, 4, link ? DOP_EXIT : DOP_EXIT2);
  dist_put_pid(dist_of(node), &x, from);
  dist_put_pid(dist_of(node), &x, to);
  put_value(dist_of(node), L, &x, reason);
  send_ctl(c, &x, NULL);
  ei_x_free(&x);
}

/* The registered name a monitor was made with ({name, node} or a name), or NULL. */
static const char *monitor_name(const otp_monitor *m, char *buf, size_t len) {
  if (m->name_ref == LUA_NOREF) return NULL;
  lua_State *L = m->vm->L;
  int top = lua_gettop(L);
  if (lua_rawgeti(L, LUA_REGISTRYINDEX, m->name_ref) == LUA_TTABLE) lua_rawgeti(L, -1, 1);
  const char *s = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : "";
  snprintf(buf, len, "%s", s);
  lua_settop(L, top);
  return buf;
}

static void monitor_msg(otp_node *node, long type, const otp_monitor *m, int connect) {
  dist_conn *c = dist_conn_of_node(dist_of(node), m->remote_node, connect);
  if (!c) return;
  char name[MAXATOMLEN_UTF8];
  ei_x_buff x;
  ctl_begin(&x, 4, type);
  dist_put_pid(dist_of(node), &x, m->watcher);
  if (m->target) dist_put_pid(dist_of(node), &x, m->target);
  else ei_x_encode_atom(&x, monitor_name(m, name, sizeof name));
  dist_put_ref(dist_of(node), &x, m->ref);
  send_ctl(c, &x, NULL);
  ei_x_free(&x);
}

static void do_monitor(otp_node *node, lua_State *L, const otp_monitor *m) {
  monitor_msg(node, DOP_MONITOR_P, m, 1);
}

static void do_demonitor(otp_node *node, const otp_monitor *m) {
  monitor_msg(node, DOP_DEMONITOR_P, m, 0);
}

static void do_down(otp_node *node, lua_State *L, const otp_monitor *m, int reason) {
  dist_conn *c = dist_conn_of_node(dist_of(node), m->remote_node, 0);
  if (!c) return;
  char name[MAXATOMLEN_UTF8];
  ei_x_buff x;
  ctl_begin(&x, 5, DOP_MONITOR_P_EXIT);
  const char *by_name = monitor_name(m, name, sizeof name);
  if (by_name) ei_x_encode_atom(&x, by_name);
  else dist_put_pid(dist_of(node), &x, m->target);
  dist_put_pid(dist_of(node), &x, m->watcher);
  dist_put_ref(dist_of(node), &x, m->ref);
  put_value(dist_of(node), L, &x, reason);
  send_ctl(c, &x, NULL);
  ei_x_free(&x);
}

void dist_signal_ops(otp_dist_ops *ops) {
  ops->send = do_send;
  ops->link = do_link;
  ops->unlink = do_unlink;
  ops->exit = do_exit;
  ops->monitor = do_monitor;
  ops->demonitor = do_demonitor;
  ops->down = do_down;
}
