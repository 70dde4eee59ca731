/*
** The node as an Erlang node: epmd, the listening socket, connections.
**
** Everything runs on the node's loop.  The listening socket and every
** connection are uv_polls; ei's calls that would block take the _tmo
** variants with short timeouts (the handshake of an accepted connection,
** reading one message once the socket is readable, connecting on the first
** send to a node).  Ticks are answered by ei_xreceive_msg_tmo itself.
** Not yet here (issue 17): links, monitors and exit signals across nodes,
** remote pids, a reader for messages larger than a socket buffer.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <ei.h>
#include <lauxlib.h>
#include <uv.h>
#include "dist/dist.h"
#include "dist/dist_term.h"
#include "core/carry.h"
#include "core/copy.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/signal.h"
#include "core/term.h"
#include "lua/lotp.h"

#define HANDSHAKE_MS 2000
#define READ_MS 2000
#define CONNECT_MS 3000
#define EPMD_MS 2000
#define XBUF_MT "otp.dist.xbuf"

typedef struct dist_conn {
  uv_poll_t poll;
  struct otp_dist *dist;
  int fd;
  char peer[MAXNODELEN + 1];
  struct dist_conn *next;
} dist_conn;

struct otp_dist {
  otp_node *node;
  ei_cnode ec;
  int listen_fd, epmd_fd;
  uv_poll_t listen_poll;
  dist_conn *conns;
  char name[MAXNODELEN + 1];
};

static void conn_closed(uv_handle_t *h) { free(h->data); }

static void conn_drop(dist_conn *c) {
  struct otp_dist *d = c->dist;
  for (dist_conn **pp = &d->conns; *pp; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  otp_log(d->node, OTP_LOG_INFO, "dist: %s disconnected", c->peer);
  uv_poll_stop(&c->poll);
  close(c->fd);
  uv_close((uv_handle_t *)&c->poll, conn_closed);
}

/* A message from another node to a registered name: decoded in the main
** state, then carried to the receiver as a timer's message is. */
static void deliver(struct otp_dist *d, const erlang_msg *msg, const ei_x_buff *x) {
  otp_node *node = d->node;
  lua_State *from = node->L;
  int top = lua_gettop(from);
  lua_pushstring(from, msg->toname);
  otp_proc *p = otp_registry_find(node, from, -1);
  if (!p || !otp_proc_alive(p)) {   /* a free name: dropped, as Erlang does */
    otp_log(node, OTP_LOG_DEBUG, "dist: message to unregistered '%s' dropped", msg->toname);
    lua_settop(from, top);
    return;
  }
  int index = 0, version;
  if (ei_decode_version(x->buff, &index, &version) < 0) index = 0;
  otp_dist_push_term(from, x->buff, &index);
  otp_charge_state cs = otp_charge_receiver(node, p);
  otp_carry c = otp_carry_begin(from, -1, p->vm);
  lua_State *L = c.L;
  lua_pushvalue(L, c.idx);
  otp_copy(L, -1, OTP_COPY_LENIENT, "msg", 0);
  otp_charge_restore(node, cs);
  node->messages_sent++;
  otp_mailbox_put(node, L, p, OTP_PID_NONE);
  otp_carry_end(&c);
  lua_settop(from, top);
}

static void on_conn_readable(uv_poll_t *h, int status, int events) {
  dist_conn *c = h->data;
  if (status < 0) {
    conn_drop(c);
    return;
  }
  ei_x_buff x;
  ei_x_new(&x);
  erlang_msg msg;
  int r = ei_xreceive_msg_tmo(c->fd, &msg, &x, READ_MS);
  if (r == ERL_MSG && (msg.msgtype == ERL_REG_SEND || msg.msgtype == ERL_REG_SEND_TT))
    deliver(c->dist, &msg, &x);
  else if (r == ERL_MSG)
    otp_log(c->dist->node, OTP_LOG_DEBUG, "dist: %s sent control message %ld, not handled yet",
            c->peer, msg.msgtype);
  ei_x_free(&x);
  if (r == ERL_ERROR && erl_errno != ETIMEDOUT && erl_errno != EAGAIN) conn_drop(c);
}

static dist_conn *conn_add(struct otp_dist *d, int fd, const char *peer) {
  dist_conn *c = calloc(1, sizeof *c);
  if (!c || uv_poll_init(&d->node->loop, &c->poll, fd) != 0) {
    free(c);
    close(fd);
    return NULL;
  }
  c->dist = d;
  c->fd = fd;
  c->poll.data = c;
  snprintf(c->peer, sizeof c->peer, "%s", peer);
  c->next = d->conns;
  d->conns = c;
  uv_poll_start(&c->poll, UV_READABLE, on_conn_readable);
  otp_log(d->node, OTP_LOG_INFO, "dist: connected to %s", peer);
  return c;
}

static void on_listen_readable(uv_poll_t *h, int status, int events) {
  struct otp_dist *d = h->data;
  if (status < 0) return;
  ErlConnect peer;
  int fd = ei_accept_tmo(&d->ec, d->listen_fd, &peer, HANDSHAKE_MS);
  if (fd < 0) {
    otp_log(d->node, OTP_LOG_WARNING, "dist: a node could not connect (erl_errno %d: a wrong "
            "cookie, or the handshake timed out)", erl_errno);
    return;
  }
  conn_add(d, fd, peer.nodename);
}

static dist_conn *conn_to(struct otp_dist *d, const char *peer) {
  for (dist_conn *c = d->conns; c; c = c->next)
    if (strcmp(c->peer, peer) == 0) return c;
  int fd = ei_connect_tmo(&d->ec, (char *)peer, CONNECT_MS);
  if (fd < 0) {
    otp_log(d->node, OTP_LOG_WARNING, "dist: cannot connect to %s (erl_errno %d): the message "
            "is dropped", peer, erl_errno);
    return NULL;
  }
  return conn_add(d, fd, peer);
}

static void xbuf_free(ei_x_buff *x) {
  if (x->buff) ei_x_free(x);
  x->buff = NULL;
}

static int xbuf_gc(lua_State *L) {
  xbuf_free(luaL_checkudata(L, 1, XBUF_MT));
  return 0;
}

static void dist_send(otp_node *node, lua_State *L, int name_idx, const char *peer,
                      int msg_idx) {
  struct otp_dist *d = node->dist;
  name_idx = lua_absindex(L, name_idx);
  msg_idx = lua_absindex(L, msg_idx);
  /* the buffer lives in a userdata: an encoding error raises without leaking it */
  ei_x_buff *x = lua_newuserdatauv(L, sizeof *x, 0);
  x->buff = NULL;
  if (luaL_newmetatable(L, XBUF_MT)) {
    lua_pushcfunction(L, xbuf_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  ei_x_new_with_version(x);
  otp_dist_encode(L, msg_idx, x);
  size_t name_len;
  const char *name = lua_tolstring(L, name_idx, &name_len);
  if (name_len >= MAXATOMLEN) otp_raise(L, "badarg: '%s' is too long for a registered name", name);
  dist_conn *c = conn_to(d, peer);
  if (c && ei_reg_send_tmo(&d->ec, c->fd, (char *)name, x->buff, x->index, CONNECT_MS) < 0) {
    otp_log(node, OTP_LOG_WARNING, "dist: sending to %s failed; closing the connection", peer);
    conn_drop(c);
  }
  xbuf_free(x);
  lua_pop(L, 1);
}

static void dist_push_nodes(otp_node *node, lua_State *L) {
  lua_newtable(L);
  int i = 0;
  for (dist_conn *c = node->dist->conns; c; c = c->next) {
    lua_pushstring(L, c->peer);
    lua_rawseti(L, -2, ++i);
  }
  otp_sort_list(L);
}

/* Registers with epmd, starting `epmd -daemon` once if none answers. */
static int publish(struct otp_dist *d, int port, char *err, size_t errlen) {
  int fd = ei_publish_tmo(&d->ec, port, EPMD_MS);
  if (fd < 0) {
    int status = system("epmd -daemon >/dev/null 2>&1");
    for (int tries = 0; fd < 0 && status == 0 && tries < 20; tries++) {
      usleep(50000);                /* epmd -daemon returns before it listens */
      fd = ei_publish_tmo(&d->ec, port, EPMD_MS);
    }
  }
  if (fd < 0) {
    snprintf(err, errlen, "noconnection: cannot register %s with epmd (is the name taken by "
             "another node, or is epmd not installed? start it with `epmd -daemon`)", d->name);
    return -1;
  }
  d->epmd_fd = fd;
  return 0;
}

int otp_dist_start(otp_node *node, const char *sname, const char *cookie, char *err,
                   size_t errlen) {
  if (!*sname || strchr(sname, '@') || strlen(sname) > 200) {
    snprintf(err, errlen, "badarg: --sname needs a short node name without '@', got '%s'", sname);
    return -1;
  }
  struct otp_dist *d = calloc(1, sizeof *d);
  if (!d) {
    snprintf(err, errlen, "limit: out of memory starting distribution");
    return -1;
  }
  d->node = node;
  d->listen_fd = d->epmd_fd = -1;
  ei_init();
  if (ei_connect_init(&d->ec, sname, cookie, 0) < 0) {
    snprintf(err, errlen, "badarg: cannot make the node %s (with --cookie C, or a readable "
             "~/.erlang.cookie)", sname);
    free(d);
    return -1;
  }
  snprintf(d->name, sizeof d->name, "%s", ei_thisnodename(&d->ec));
  int port = 0;
  struct in_addr any = {.s_addr = htonl(INADDR_ANY)};
  d->listen_fd = ei_xlisten(&d->ec, &any, &port, 5);
  if (d->listen_fd < 0) {
    snprintf(err, errlen, "noconnection: cannot listen for other nodes: %s", strerror(errno));
    free(d);
    return -1;
  }
  if (publish(d, port, err, errlen) != 0) {
    close(d->listen_fd);
    free(d);
    return -1;
  }
  uv_poll_init(&node->loop, &d->listen_poll, d->listen_fd);
  d->listen_poll.data = d;
  uv_poll_start(&d->listen_poll, UV_READABLE, on_listen_readable);
  node->dist = d;
  node->dist_name = d->name;
  node->dist_send = dist_send;
  node->dist_push_nodes = dist_push_nodes;
  return 0;
}

static void free_dist(uv_handle_t *h) { free(h->data); }

void otp_dist_stop(otp_node *node) {
  struct otp_dist *d = node->dist;
  if (!d) return;
  while (d->conns) conn_drop(d->conns);
  uv_poll_stop(&d->listen_poll);
  close(d->listen_fd);
  close(d->epmd_fd);              /* epmd forgets the name when this closes */
  node->dist = NULL;
  node->dist_name = NULL;
  node->dist_send = NULL;
  node->dist_push_nodes = NULL;
  uv_close((uv_handle_t *)&d->listen_poll, free_dist);
  uv_run(&node->loop, UV_RUN_NOWAIT);   /* run the close callbacks */
}
