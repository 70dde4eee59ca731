/*
** The HTTP + WebSocket server of `otplab serve` (layer 3): libwebsockets on
** the node's own libuv loop, one thread.  The C side only speaks HTTP: it
** checks the token, the caps and the WebSocket Origin, collects a request,
** and hands it to a Lua process (the API server, lua/otp/api/server.lua) as
** a message.  That process answers through otp.net.reply; WebSocket frames
** go out through otp.net.ws_send into a bounded per-client queue, so a slow
** client loses frames (counted, and reported to it) instead of slowing the
** node.
**
** Messages the API server receives (ids are integers):
**   {"http", id, method, path, query, body}  query: {{k, v}, ...}, body: string
**   {"ws_open", id, path, query}
**   {"ws_close", id}
**   {"signal", "SIGINT"|"SIGTERM"}           time to stop
** Paths outside /api/ never reach it: they are the dashboard's files
** (static.c), served from the web root without a token (they hold no data).
*/
#ifndef OTP_NET_H
#define OTP_NET_H

#include <stddef.h>
#include <stdint.h>
#include "core/node.h"

#define OTP_NET_MAX_BODY (1u << 20)      /* request bodies beyond it: 413 */
#define OTP_NET_MAX_DISCARD (64u << 20)  /* beyond it the 413 does not wait for the body */
#define OTP_NET_MAX_HEADERS 8192         /* the headers lws knows, together: beyond it 413 */
#define OTP_NET_HEADER_SPACE 32768       /* lws's room for all headers: beyond it lws closes */
#define OTP_NET_HEADER_POOL 1024         /* connections holding headers at once (others wait) */
#define OTP_NET_WS_QUEUE 1024            /* frames waiting for one client */

typedef struct otp_net_config {
  const char *bind;      /* address to listen on */
  int port;              /* 0: any free port */
  const char *token;     /* required as "Authorization: Bearer T", or NULL */
  const char *web_root;  /* the built dashboard; NULL: "web" beside the binary */
  double share;          /* the server's share of the node while others run (0: default) */
} otp_net_config;

typedef struct otp_net otp_net;

/* Listens on cfg's address on node's loop; NULL with a message in err.
** Registers the Lua module otp.net (and cjson) in node's main state. */
otp_net *otp_net_open(otp_node *node, const otp_net_config *cfg, char *err, size_t errlen);
/* The port actually bound. */
int otp_net_port(const otp_net *net);
/* Closes every connection and the listening socket.  The context finishes
** closing in its handles' close callbacks: run the loop (otp_node_free
** does) before otp_net_free. */
void otp_net_close(otp_net *net);
void otp_net_free(otp_net *net);
/* The web root in use (resolved), or NULL if none was found. */
const char *otp_net_web_root(const otp_net *net);

/* Tells the API server that the node should stop (from a signal handler). */
void otp_net_post_signal(otp_net *net, const char *signame);

/* The Lua module otp.net, bound to net: attach, reply, ws_send, ws_info, stats. */
void otp_net_open_lua(otp_net *net, lua_State *L);

#endif
