/*
** What the files of runtime/dist/ share: the node's distribution state and
** its connections.  dist.c starts, connects and ends connections; calls.c
** does what the bindings ask; wire.c moves bytes (a non-blocking reader and
** writer per connection, ticks); control.c turns control messages into
** signals both ways; dist_term.c maps terms.
*/
#ifndef OTP_DIST_INTERNAL_H
#define OTP_DIST_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <ei.h>
#include <lua.h>
#include <uv.h>
#include "core/pid.h"
#include "core/dist_ops.h"
#include "dist/dist_term.h"

struct otp_node;

enum { CONN_CONNECTING, CONN_UP };

typedef struct dist_waiter {   /* a process waiting in otp.connect */
  otp_pid pid;
  uint64_t ref;
  struct dist_waiter *next;
} dist_waiter;

typedef struct dist_conn {
  uv_poll_t poll;
  struct otp_dist *dist;
  int fd;                      /* -1 while connecting */
  int state;
  int polling;                 /* poll is initialised */
  unsigned poll_events;
  char peer[MAXNODELEN + 1];
  uint32_t node_idx;           /* core/remote.h */
  char *in;                    /* bytes read, not yet a whole packet */
  size_t in_len, in_cap;
  char *out;                   /* packets waiting to be written */
  size_t out_len, out_cap, out_off;
  uint64_t last_in_ms, last_out_ms;
  int outgoing;                /* this node made it (else it accepted it) */
  struct nok_wait *nok;        /* awaiting the other node's connection after its nok */
  uint64_t up_ms;              /* when it came up */
  dist_waiter *waiters;
  struct dist_conn *next;
} dist_conn;

typedef struct node_watch {    /* otp.monitor_node(node, true) */
  otp_pid pid;
  uint32_t node_idx;
} node_watch;

/* A node otp.disconnect(node, {block_ms = N}) keeps out until until_ms. */
typedef struct dist_block {
  char name[MAXNODELEN + 1];
  uint64_t until_ms;
} dist_block;

/* What ei passes to every socket it makes (socket.c): the listener's is the
** node's, each connect has its own, where the socket notes a "nok". */
typedef struct dist_sock_setup {
  struct otp_dist *dist;
  int nok;                     /* the other node answered nok: it connects to this one */
} dist_sock_setup;

struct otp_dist {
  otp_dist_ops ops;            /* first: node->dist_ops points here (dist_of) */
  dist_sock_setup setup;       /* for the listening socket */
  struct otp_node *node;
  ei_cnode ec;
  int listen_fd, epmd_fd;
  otp_dist_ctx cx;             /* for the term codec */
  uv_poll_t listen_poll;
  uv_timer_t tick;
  unsigned ticktime_s;         /* Erlang's net_ticktime: silent this long = down */
  dist_conn *conns;
  node_watch *watches;
  size_t nwatches, capwatches;
  dist_block *blocks;          /* partitions that refuse reconnects for a time */
  size_t nblocks;
  char refused[MAXNODELEN + 1]; /* the node socket.c refused in a handshake, or "" */
  const char *refused_why;
  int pending_work;            /* connects still on the thread pool */
  int stopping;
  char name[MAXNODELEN + 1];
};

/* The control message types of Erlang's distribution protocol. */
enum {
  DOP_LINK = 1, DOP_SEND = 2, DOP_EXIT = 3, DOP_UNLINK = 4, DOP_REG_SEND = 6,
  DOP_GROUP_LEADER = 7, DOP_EXIT2 = 8, DOP_SEND_TT = 12, DOP_EXIT_TT = 13,
  DOP_REG_SEND_TT = 16, DOP_EXIT2_TT = 18, DOP_MONITOR_P = 19, DOP_DEMONITOR_P = 20,
  DOP_MONITOR_P_EXIT = 21, DOP_SEND_SENDER = 22, DOP_SEND_SENDER_TT = 23,
  DOP_PAYLOAD_EXIT = 24, DOP_PAYLOAD_EXIT_TT = 25, DOP_PAYLOAD_EXIT2 = 26,
  DOP_PAYLOAD_EXIT2_TT = 27, DOP_PAYLOAD_MONITOR_P_EXIT = 28, DOP_SPAWN_REQUEST = 29,
  DOP_SPAWN_REQUEST_TT = 30, DOP_SPAWN_REPLY = 31, DOP_ALIAS_SEND = 33,
  DOP_ALIAS_SEND_TT = 34, DOP_UNLINK_ID = 35, DOP_UNLINK_ID_ACK = 36
};

/* The distribution state of a node whose node->dist_ops is set (core/node.h). */
#define dist_of(node) ((struct otp_dist *)(node)->dist_ops)

/* A pid or a ref of this node or another, encoded as Erlang writes it. */
void dist_put_pid(struct otp_dist *d, ei_x_buff *x, otp_pid pid);
void dist_put_ref(struct otp_dist *d, ei_x_buff *x, uint64_t ref);

/* ---- cookie.c ---- */
/* The cookie of ~/.erlang.cookie (made, as erl makes it, if there is none)
** into out. Returns 0, or -1 with the reason in err. */
int otp_dist_home_cookie(char *out, size_t outlen, char *err, size_t errlen);

/* ---- dist.c ---- */
/* The connection to peer: an existing one, or (connect) a new one being
** made on the thread pool; NULL if none and !connect. */
dist_conn *dist_conn_to(struct otp_dist *d, const char *peer, int connect);
dist_conn *dist_conn_of_node(struct otp_dist *d, uint32_t node_idx, int connect);
/* Why a connection from peer is refused before its handshake: it is
** blocked, or this node (the greater name) is connecting to it or has just
** connected to it (the two connected at once); NULL if it is welcome. */
const char *dist_refusal(struct otp_dist *d, const char *peer);
/* Ends c: nodedown to watchers, noconnection through links and monitors. */
void dist_conn_drop(dist_conn *c, const char *why);
/* {"nodedown", peer} to its monitor_node watchers, noconnection through
** the links and monitors across it. */
void dist_nodedown(struct otp_dist *d, const char *peer, uint32_t node_idx);
int dist_valid_peer(const char *peer);     /* "name@host" */

/* ---- calls.c ---- */
/* Fills in what the bindings call of ops (send_name, ..., spawn). */
void dist_call_ops(otp_dist_ops *ops);

/* ---- partition.c: disconnects that keep a node out for a time ---- */
/* peer may not connect, nor be connected to, for ms from now. */
void dist_block_node(struct otp_dist *d, const char *peer, uint64_t ms);
/* 1 while a block on peer lasts (expired blocks are forgotten). */
int dist_is_blocked(struct otp_dist *d, const char *peer);

/* ---- wire.c ---- */
void wire_start(dist_conn *c);            /* c->fd is up: poll it */
void wire_close(dist_conn *c);            /* stop polling, close the socket */
/* Queues the packet 'p' ctl msg (msg may be NULL) on c; writes what it can. */
void wire_send(dist_conn *c, const char *ctl, int ctl_len, const char *msg, int msg_len);
void wire_tick(struct otp_dist *d);       /* every ticktime/4 */
uint64_t wire_now_ms(void);

/* ---- socket.c: ei's sockets, advertising the monitors otplab implements ---- */
extern ei_socket_callbacks dist_socket_callbacks;

/* ---- spawn_on.c: spawns asked for by other otplab nodes ---- */
#define DIST_SPAWN_NAME "$otplab_spawn"   /* the name they are sent to */
/* The message {"$otplab_spawn", From, Ref, Code} is on top of the main
** state: spawns the process and answers From. */
void dist_spawn_request(dist_conn *c, lua_State *L);

/* ---- net_kernel.c: what an Erlang node asks every node's net_kernel ---- */
#define DIST_NET_KERNEL "net_kernel"
/* The message at buf[at] (with its version byte) sent to net_kernel from
** the node of c: answers {is_auth, Node} (net_adm:ping) with yes. */
void dist_net_kernel_message(dist_conn *c, const char *buf, size_t len, int at);

/* ---- control.c ---- */
/* A whole packet (without its length) from c. */
void control_packet(dist_conn *c, const char *buf, size_t len);

/* ---- signals_out.c ---- */
/* Fills in the signal calls of ops (send, link, ..., down). */
void dist_signal_ops(otp_dist_ops *ops);

#endif
