/*
** The node as an Erlang node: epmd, the listening socket, the connections
** and what happens when one goes.
**
** Everything runs on the node's loop.  Connecting to a node (its epmd
** lookup and handshake) runs on libuv's thread pool, while what is sent to
** it queues; an accepted connection's handshake takes ei_accept_tmo's
** short timeout.  After the handshake wire.c moves the bytes and control.c
** reads them.  A connection that goes (closed, silent past the tick time,
** disconnected) is a nodedown: "noconnection" through every link and
** monitor across it, then {"nodedown", node} to every monitor_node.  Of two nodes
** connecting to each other at once, the greater name's connection stays
** (socket.c answers the other nok; a nok read here awaits that connection).
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "dist/dist.h"
#include "dist/dist_internal.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/remote.h"
#include "core/signal.h"
#include "core/term.h"
#include "lua/lotp.h"

#define HANDSHAKE_MS 2000
#define CONNECT_MS 3000
#define EPMD_MS 2000
#define NOK_WAIT_MS (CONNECT_MS + HANDSHAKE_MS)   /* a nok: awaiting the other's connection */
#define DUPLICATE_MS (CONNECT_MS + HANDSHAKE_MS)   /* a simultaneous connect's other half */

typedef struct connect_work {
  uv_work_t req;
  struct otp_dist *d;
  ei_cnode ec;                 /* the node's, with this connect's socket setup */
  dist_sock_setup setup;
  char peer[MAXNODELEN + 1];
  int fd, err;
} connect_work;

static dist_conn *find_conn(struct otp_dist *d, const char *peer) {
  for (dist_conn *c = d->conns; c; c = c->next)
    if (strcmp(c->peer, peer) == 0) return c;
  return NULL;
}

static void nok_cancel(dist_conn *c);

/* {"$dist_connect", ref, ok} to each process waiting in otp.connect. */
static void notify_waiters(struct otp_dist *d, dist_waiter *w, int ok) {
  lua_State *L = d->node->L;
  while (w) {
    dist_waiter *next = w->next;
    otp_proc *p = otp_proc_get(d->node, w->pid);
    if (p && p->vm == &d->node->main) {
      lua_createtable(L, 3, 0);
      lua_pushliteral(L, "$dist_connect");
      lua_rawseti(L, -2, 1);
      otp_push_ref(L, w->ref);
      lua_rawseti(L, -2, 2);
      lua_pushboolean(L, ok);
      lua_rawseti(L, -2, 3);
      otp_mailbox_put(d->node, L, p, OTP_PID_NONE);
    }
    free(w);
    w = next;
  }
}

/* As erts does it when a connection goes: "noconnection" through every
** link and then every monitor across it first, {"nodedown", node} to every
** monitor_node after (a process with both sees EXIT, DOWN, then nodedown). */
void dist_nodedown(struct otp_dist *d, const char *peer, uint32_t node_idx) {
  otp_node *node = d->node;
  lua_State *L = node->L;
  otp_remote_nodedown(node, L, node_idx);
  size_t kept = 0;
  for (size_t i = 0; i < d->nwatches; i++) {
    node_watch w = d->watches[i];
    if (w.node_idx != node_idx) {
      d->watches[kept++] = w;
      continue;
    }
    otp_proc *p = otp_proc_get(node, w.pid);
    if (!p || p->vm != &node->main) continue;
    lua_createtable(L, 2, 0);
    lua_pushliteral(L, "nodedown");
    lua_rawseti(L, -2, 1);
    lua_pushstring(L, peer);
    lua_rawseti(L, -2, 2);
    otp_mailbox_put(node, L, p, OTP_PID_NONE);
  }
  d->nwatches = kept;
}

void dist_conn_drop(dist_conn *c, const char *why) {
  struct otp_dist *d = c->dist;
  for (dist_conn **pp = &d->conns; *pp; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  char peer[MAXNODELEN + 1];
  snprintf(peer, sizeof peer, "%s", c->peer);
  uint32_t node_idx = c->node_idx;
  dist_waiter *waiters = c->waiters;
  int was_up = c->state == CONN_UP;
  nok_cancel(c);
  c->waiters = NULL;
  wire_close(c);                 /* c is gone */
  otp_log(d->node, was_up ? OTP_LOG_INFO : OTP_LOG_WARNING, "dist: %s %s: %s", peer,
          was_up ? "is down" : "cannot be reached", why);
  notify_waiters(d, waiters, 0);
  if (!d->stopping) dist_nodedown(d, peer, node_idx);
}

static dist_conn *conn_new(struct otp_dist *d, const char *peer) {
  dist_conn *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->dist = d;
  c->fd = -1;
  c->state = CONN_CONNECTING;
  snprintf(c->peer, sizeof c->peer, "%s", peer);
  c->node_idx = otp_remote_node(d->node, peer);
  c->next = d->conns;
  d->conns = c;
  return c;
}

static void conn_up(dist_conn *c, int fd, int outgoing) {
  c->fd = fd;
  c->state = CONN_UP;
  c->outgoing = outgoing;
  c->up_ms = wire_now_ms();
  nok_cancel(c);
  otp_log(c->dist->node, OTP_LOG_INFO, "dist: connected to %s", c->peer);
  dist_waiter *w = c->waiters;
  c->waiters = NULL;
  wire_start(c);                 /* writes what queued while connecting */
  notify_waiters(c->dist, w, 1);
}

const char *dist_refusal(struct otp_dist *d, const char *peer) {
  if (dist_is_blocked(d, peer)) return "is blocked (otp.disconnect with block_ms)";
  dist_conn *c = find_conn(d, peer);
  if (!c || strcmp(d->name, peer) < 0) return NULL;
  if (c->state == CONN_CONNECTING)
    return "connected while this node connects to it: of the two, Erlang keeps the greater "
           "name's";
  if (c->outgoing && wire_now_ms() - c->up_ms < DUPLICATE_MS)
    return "connected again just after this node connected to it: the other half of a "
           "simultaneous connect";
  return NULL;          /* a new incarnation of it: the new connection replaces the old */
}

typedef struct nok_wait {
  uv_timer_t timer;
  dist_conn *c;
} nok_wait;

static void nok_closed(uv_handle_t *h) { free(h->data); }

/* c no longer waits (its connection came, or it goes). */
static void nok_cancel(dist_conn *c) {
  if (!c->nok) return;
  uv_timer_stop(&c->nok->timer);
  uv_close((uv_handle_t *)&c->nok->timer, nok_closed);
  c->nok = NULL;
  c->dist->pending_work--;
}

/* The greater node said nok but its own connection has not come: c goes. */
static void nok_over(uv_timer_t *t) {
  dist_conn *c = ((nok_wait *)t->data)->c;
  nok_cancel(c);
  dist_conn_drop(c, "it answered that it connects to this node (nok), and did not");
}

/* A node with a greater name answered nok: it connects to this one at the
** same time and keeps its own connection (Erlang's rule), so c stays
** connecting, what is sent to it queued, until that connection comes
** (on_listen_readable) or NOK_WAIT_MS pass. 0, or -1 if c must go now. */
static int await_greater(struct otp_dist *d, dist_conn *c) {
  if (c->nok) return 0;
  nok_wait *r = calloc(1, sizeof *r);
  if (!r) return -1;
  r->c = c;
  uv_timer_init(&d->node->loop, &r->timer);
  r->timer.data = r;
  uv_timer_start(&r->timer, nok_over, NOK_WAIT_MS, 0);
  c->nok = r;
  d->pending_work++;
  return 0;
}

static void connect_run(uv_work_t *req) {
  connect_work *w = req->data;
  w->fd = ei_connect_tmo(&w->ec, w->peer, CONNECT_MS);
  w->err = w->fd < 0 ? erl_errno : 0;
}

static void connect_done(uv_work_t *req, int status) {
  connect_work *w = req->data;
  struct otp_dist *d = w->d;
  d->pending_work--;
  dist_conn *c = d->stopping ? NULL : find_conn(d, w->peer);
  if (!c || c->state == CONN_UP) {        /* dropped meanwhile, or it connected to us */
    if (w->fd >= 0) ei_close_connection(w->fd);
  } else if (w->fd < 0 && w->setup.nok && await_greater(d, c) == 0) {
    /* waits for the other node's own connection */
  } else if (w->fd < 0) {
    char why[160];
    snprintf(why, sizeof why, "%s (erl_errno %d)",
             w->err == ETIMEDOUT ? "no answer in time" : "no such node, or a wrong cookie",
             w->err);
    dist_conn_drop(c, why);
  } else {
    conn_up(c, w->fd, 1);
  }
  free(w);
}

int dist_valid_peer(const char *peer) {
  const char *at = strchr(peer, '@');
  return at && at != peer && at[1] && strlen(peer) < MAXNODELEN && !strchr(at + 1, '@');
}

/* Connects c on the thread pool: 0, or -1 if it cannot. */
static int start_connect(struct otp_dist *d, dist_conn *c) {
  connect_work *w = calloc(1, sizeof *w);
  if (!w) return -1;
  w->d = d;
  w->req.data = w;
  w->setup.dist = d;
  w->ec = d->ec;
  w->ec.setup_context = &w->setup;
  snprintf(w->peer, sizeof w->peer, "%s", c->peer);
  if (uv_queue_work(&d->node->loop, &w->req, connect_run, connect_done) != 0) {
    free(w);
    return -1;
  }
  d->pending_work++;
  return 0;
}

dist_conn *dist_conn_to(struct otp_dist *d, const char *peer, int connect) {
  dist_conn *c = find_conn(d, peer);
  if (c || !connect || d->stopping || !dist_valid_peer(peer) || strcmp(peer, d->name) == 0 ||
      dist_is_blocked(d, peer))
    return c;
  c = conn_new(d, peer);
  if (c && start_connect(d, c) != 0) {
    dist_conn_drop(c, "the thread pool refused the connect");
    return NULL;
  }
  return c;
}

dist_conn *dist_conn_of_node(struct otp_dist *d, uint32_t node_idx, int connect) {
  for (dist_conn *c = d->conns; c; c = c->next)
    if (c->node_idx == node_idx) return c;
  const char *peer = otp_remote_node_name(d->node, node_idx);
  return peer && connect ? dist_conn_to(d, peer, 1) : NULL;
}

static void on_listen_readable(uv_poll_t *h, int status, int events) {
  struct otp_dist *d = h->data;
  if (status < 0) return;
  ErlConnect peer;
  d->refused[0] = 0;
  int fd = ei_accept_tmo(&d->ec, d->listen_fd, &peer, HANDSHAKE_MS);
  if (fd < 0 && d->refused[0]) {   /* socket.c: a partition, or a simultaneous connect */
    otp_log(d->node, OTP_LOG_DEBUG, "dist: %s %s: its handshake was refused", d->refused,
            d->refused_why);
    return;
  }
  if (fd < 0) {                   /* Erlang reports a refused node as an error too */
    otp_log(d->node, OTP_LOG_ERROR, "dist: refused a connection from %s: its cookie is not "
            "this node's (give both the same --cookie, or -setcookie in erl), or its "
            "handshake did not finish in %d ms (erl_errno %d)",
            peer.nodename[0] ? peer.nodename : "a node", HANDSHAKE_MS, erl_errno);
    return;
  }
  if (dist_is_blocked(d, peer.nodename)) {       /* a partition still in force */
    otp_log(d->node, OTP_LOG_DEBUG, "dist: %s is blocked (otp.disconnect with block_ms): "
            "its connection was closed", peer.nodename);
    ei_close_connection(fd);
    return;
  }
  dist_conn *c = find_conn(d, peer.nodename);
  if (c && c->state == CONN_UP) dist_conn_drop(c, "it connected again (a new incarnation)");
  c = find_conn(d, peer.nodename);
  if (!c) c = conn_new(d, peer.nodename);
  if (!c) {
    ei_close_connection(fd);
    return;
  }
  conn_up(c, fd, 0);
}

static void on_tick(uv_timer_t *t) { wire_tick(t->data); }

/* ---- start and stop ---- */

/* Registers with epmd, starting `epmd -daemon` once if none answers. */
static int publish(struct otp_dist *d, int port, char *err, size_t errlen) {
  int fd = ei_publish_tmo(&d->ec, port, EPMD_MS);
  if (fd < 0) {
    int status = system("epmd -daemon >/dev/null 2>&1");
    for (int tries = 0; fd < 0 && status == 0 && tries < 100; tries++) {
      usleep(50000);   /* epmd -daemon returns before it listens: 5 s on a loaded machine */
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

/* ei's node for name: a short one on this host, or alive@host. */
static int make_cnode(struct otp_dist *d, const char *name, int longnames, const char *cookie,
                      char *err, size_t errlen) {
  char home_cookie[EI_MAX_COOKIE_SIZE + 1];
  if (!cookie) {
    if (otp_dist_home_cookie(home_cookie, sizeof home_cookie, err, errlen) != 0) return -1;
    cookie = home_cookie;
  }
  if (!longnames) {
    if (!*name || strchr(name, '@') || strlen(name) > 200) {
      snprintf(err, errlen, "badarg: --sname needs a short node name without '@', got '%s'",
               name);
      return -1;
    }
    if (ei_connect_init_ussi(&d->ec, name, cookie, 0, &dist_socket_callbacks,
                             sizeof dist_socket_callbacks, &d->setup) >= 0)
      return 0;
  } else {
    const char *at = strchr(name, '@');
    if (!at || at == name || !at[1] || strchr(at + 1, '@') || strlen(name) > 200) {
      snprintf(err, errlen, "badarg: --name needs NAME@HOST (a host name or address other "
               "nodes reach this one by, as erl -name), got '%s'", name);
      return -1;
    }
    char alive[EI_MAXALIVELEN + 1];
    snprintf(alive, sizeof alive, "%.*s", (int)(at - name), name);
    struct in_addr any = {.s_addr = htonl(INADDR_ANY)};   /* ei does not use it */
    if (ei_connect_xinit_ussi(&d->ec, at + 1, alive, name, (Erl_IpAddr)&any, cookie, 0,
                              &dist_socket_callbacks, sizeof dist_socket_callbacks, &d->setup) >= 0)
      return 0;
  }
  snprintf(err, errlen, "badarg: cannot make the node %s (is the cookie longer than %d "
           "bytes?)", name, EI_MAX_COOKIE_SIZE);
  return -1;
}

int otp_dist_start(otp_node *node, const char *name, int longnames, const char *cookie,
                   unsigned ticktime_s, char *err, size_t errlen) {
  struct otp_dist *d = calloc(1, sizeof *d);
  if (!d) {
    snprintf(err, errlen, "limit: out of memory starting distribution");
    return -1;
  }
  d->node = node;
  d->listen_fd = d->epmd_fd = -1;
  d->setup.dist = d;
  d->ticktime_s = ticktime_s ? ticktime_s : 60;
  ei_init();
  if (make_cnode(d, name, longnames, cookie, err, errlen) != 0) {
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
    ei_close_connection(d->listen_fd);
    free(d);
    return -1;
  }
  d->cx = (otp_dist_ctx){node, d->name, ei_self(&d->ec)->creation};
  uv_poll_init(&node->loop, &d->listen_poll, d->listen_fd);
  d->listen_poll.data = d;
  uv_poll_start(&d->listen_poll, UV_READABLE, on_listen_readable);
  uv_timer_init(&node->loop, &d->tick);
  d->tick.data = d;
  uv_timer_start(&d->tick, on_tick, d->ticktime_s * 250u, d->ticktime_s * 250u);
  uv_unref((uv_handle_t *)&d->tick);
  d->ops.name = d->name;
  dist_signal_ops(&d->ops);
  dist_call_ops(&d->ops);
  node->dist_ops = &d->ops;
  return 0;
}

static void handle_closed(uv_handle_t *h) {
  struct otp_dist *d = h->data;
  if (++d->stopping == 3) free(d);     /* 1 + the listener + the timer */
}

void otp_dist_stop(otp_node *node) {
  struct otp_dist *d = dist_of(node);
  if (!d) return;
  d->stopping = 1;
  while (d->conns) dist_conn_drop(d->conns, "this node is stopping");
  while (d->pending_work > 0) uv_run(&node->loop, UV_RUN_ONCE);   /* connects end in CONNECT_MS,
                                                                     nok waits in NOK_WAIT_MS */
  uv_poll_stop(&d->listen_poll);
  ei_close_connection(d->listen_fd);   /* and its socket context (socket.c) */
  close(d->epmd_fd);              /* epmd forgets the name when this closes */
  node->dist_ops = NULL;
  free(d->watches);
  free(d->blocks);
  uv_close((uv_handle_t *)&d->listen_poll, handle_closed);
  uv_close((uv_handle_t *)&d->tick, handle_closed);
  uv_run(&node->loop, UV_RUN_NOWAIT);   /* run the close callbacks */
}
