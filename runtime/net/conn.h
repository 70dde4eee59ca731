/*
** The server's connections, shared by its HTTP half (server.c), its
** WebSocket half (ws.c) and the Lua module (lnet.c).  A connection is
** libwebsockets' per-session data; it sits in a slot of net->conns so that
** Lua can name it by an integer id: slot in the low 20 bits, a serial above,
** new for every HTTP transaction, so a late reply to a closed or reused
** connection finds nothing.
*/
#ifndef OTP_NET_CONN_H
#define OTP_NET_CONN_H

#include <libwebsockets.h>
#include "net/net.h"
#include "net/share.h"

#define OTP_NET_SLOT_BITS 20
#define OTP_NET_MAX_CONNS (1u << OTP_NET_SLOT_BITS)

typedef struct otp_ws_frame {
  struct otp_ws_frame *next;
  size_t len;
  uint64_t dropped_after;    /* frames dropped while this one was the newest */
  unsigned char data[];      /* LWS_PRE bytes of room, then the text */
} otp_ws_frame;

typedef struct otp_net_conn {
  struct lws *wsi;
  otp_net *net;
  uint32_t slot;             /* in net->conns, or UINT32_MAX */
  uint64_t id;               /* current transaction (HTTP) or client (WebSocket) */
  int is_ws;

  /* HTTP: the request being read, then the response being written */
  char method[8];
  char *path;                /* decoded path without the query */
  char *query;               /* k=v fragments separated by \1 */
  unsigned char *body;
  size_t body_len, body_cap;
  int refused;               /* an error answer is queued: ignore the rest */
  int too_large;             /* the body is over the cap: read it to the end, then 413 */
  int close_after;           /* close the connection after the answer */
  int retry_after;           /* the answer says Retry-After: 1 (busy) */
  int waiting;               /* the request waits for the server's share (share.c) */
  struct otp_net_conn *wait_next, *wait_prev;
  unsigned char *resp;       /* LWS_PRE bytes of room, then the body */
  size_t resp_len;
  int resp_status;
  const char *resp_type;

  /* WebSocket */
  otp_ws_frame *q_head, *q_tail;
  uint32_t q_len;
  uint64_t sent, dropped, dropped_pending;
} otp_net_conn;

typedef struct otp_net_child otp_net_child;   /* child.c */
#define OTP_NET_MAX_CHILDREN 4       /* child otplabs running at once */

struct otp_net {
  otp_node *node;
  struct lws_context *ctx;
  int port;
  int loopback;              /* bound to a loopback address */
  char *token;               /* or NULL */
  char *web_root;            /* the dashboard's files (resolved), or NULL */
  otp_pid server;            /* the process that gets requests (otp.net.attach) */
  int closing;
  otp_net_conn **conns;
  uint32_t nconns, conns_cap;
  uint32_t *free_slots, nfree;
  uint64_t serial;
  uint64_t requests, responses, refused, ws_clients, ws_frames, ws_dropped;
  otp_net_child *children;   /* files running in child otplabs */
  int nchildren;
  otp_net_share share;       /* its share of the node's thread */
};

/* Gives c a slot and a fresh id; -1 if the table is full. */
int otp_net_conn_add(otp_net *net, otp_net_conn *c);
void otp_net_conn_remove(otp_net *net, otp_net_conn *c);
/* A fresh id for c's next transaction. */
void otp_net_conn_renew(otp_net *net, otp_net_conn *c);
/* The connection whose current id is id, or NULL. */
otp_net_conn *otp_net_conn_find(otp_net *net, uint64_t id);

/* Queues an answer on c and asks for a writable callback; body is copied. */
void otp_net_respond(otp_net_conn *c, int status, const char *type, const char *body,
                     size_t len);
/* The same, taking buf (LWS_PRE bytes of room, then len bytes) as it is. */
void otp_net_respond_owned(otp_net_conn *c, int status, const char *type, unsigned char *buf,
                           size_t len);
/* Queues an error answer in the envelope of API.md section 10. */
void otp_net_respond_error(otp_net_conn *c, int status, const char *code,
                           const char *message);

/* Starts building a message for the API server on the main state: pushes a
** new table whose first element is kind.  Returns 0 (nothing pushed) if no
** server is attached.  otp_net_post_end delivers it. */
int otp_net_post_begin(otp_net *net, const char *kind, int nfields);
void otp_net_post_end(otp_net *net);
/* Posts c's complete request to the API server (the share has let it). */
void otp_net_post_request(otp_net_conn *c);
/* Pushes the query of c as {{k, v}, ...}. */
void otp_net_push_query(lua_State *L, const otp_net_conn *c);

/* The dashboard's files (static.c) */
/* 1 if path belongs to the API (/api or /api/...). */
int otp_net_is_api_path(const char *path);
/* Answers c's GET for a file of the dashboard (or its index.html). */
void otp_net_serve_static(otp_net_conn *c);
/* BINARY_DIR/web, freshly allocated, or NULL. */
char *otp_net_default_web_root(void);

/* WebSocket half (ws.c) */
/* Accepts (0) or refuses (1) a WebSocket upgrade: path, token, Origin. */
int otp_ws_filter(otp_net *net, struct lws *wsi);
int otp_ws_established(otp_net_conn *c, struct lws *wsi);
int otp_ws_writable(otp_net_conn *c, struct lws *wsi);
void otp_ws_closed(otp_net_conn *c);
/* Queues text for the client; 1 queued, 0 dropped (queue full). */
int otp_ws_queue(otp_net_conn *c, const char *text, size_t len);
/* Closes the connection once the queued frames are written. */
void otp_ws_close(otp_net_conn *c);

/* Reads header token tok of wsi into a fresh string; NULL if absent. */
char *otp_net_header(struct lws *wsi, enum lws_token_indexes tok);
/* On a loopback bind, the Host header must name loopback (no DNS
** rebinding); 1 if fine. */
int otp_net_host_allowed(otp_net *net, struct lws *wsi);
/* Checks the Authorization header when a token is required; 1 if fine. */
int otp_net_authorized(otp_net *net, struct lws *wsi);
/* Reads the path (decoded, no query) and the query fragments of wsi into c. */
int otp_net_read_target(otp_net_conn *c, struct lws *wsi, enum lws_token_indexes tok);

/* Child otplabs (child.c): the Lua functions otp.net.run_file, realpath and
** list_files, and the cleanup when the server stops. */
int otp_net_l_run_file(lua_State *L);
int otp_net_l_realpath(lua_State *L);
int otp_net_l_list_files(lua_State *L);
void otp_net_children_close(otp_net *net);
/* otp.net.json_encode(value, array_mt) (json_encode.c) */
int otp_net_l_json_encode(lua_State *L);

#endif
