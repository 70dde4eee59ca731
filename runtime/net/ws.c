/*
** The WebSocket half of the server: the live event stream on
** /api/v1/events.  Frames wait in a bounded queue per client; when it is
** full, new frames are dropped and counted on the newest queued frame, so
** that the client learns, at the right place in the stream, how many it
** missed: {"type":"dropped","count":N,"total":T}.  A client that does not
** read therefore costs the node a bounded amount of memory and no time.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/conn.h"

static const char events_path[] = "/api/v1/events";

/* An Origin is accepted when absent (not a browser) or when it names the
** host the request was sent to (the dashboard served by this server). */
static int origin_allowed(struct lws *wsi) {
  char *origin = otp_net_header(wsi, WSI_TOKEN_ORIGIN);
  if (!origin) return 1;
  char *host = otp_net_header(wsi, WSI_TOKEN_HOST);
  int ok = 0;
  if (host) {
    const char *rest = strncmp(origin, "http://", 7) == 0    ? origin + 7
                       : strncmp(origin, "https://", 8) == 0 ? origin + 8
                                                             : NULL;
    ok = rest && strcmp(rest, host) == 0;
  }
  free(origin);
  free(host);
  return ok;
}

int otp_ws_filter(otp_net *net, struct lws *wsi) {
  if (net->closing) return 1;
  char *path = otp_net_header(wsi, WSI_TOKEN_GET_URI);
  int ok = path && strcmp(path, events_path) == 0;
  free(path);
  if (!ok) return 1;
  if (!otp_net_authorized(net, wsi) || !otp_net_host_allowed(net, wsi)) return 1;
  return origin_allowed(wsi) ? 0 : 1;
}

int otp_ws_established(otp_net_conn *c, struct lws *wsi) {
  otp_net *net = c->net;
  c->is_ws = 1;
  c->close_after = 0;
  free(c->path);
  free(c->query);
  c->path = c->query = NULL;
  if (otp_net_read_target(c, wsi, WSI_TOKEN_GET_URI) != 0) return -1;
  net->ws_clients++;
  if (!otp_net_post_begin(net, "ws_open", 4)) return -1;
  lua_State *L = net->node->L;
  lua_pushinteger(L, (lua_Integer)c->id);
  lua_rawseti(L, -2, 2);
  lua_pushstring(L, c->path);
  lua_rawseti(L, -2, 3);
  otp_net_push_query(L, c);
  lua_rawseti(L, -2, 4);
  otp_net_post_end(net);
  return 0;
}

int otp_ws_queue(otp_net_conn *c, const char *text, size_t len) {
  if (c->q_len >= OTP_NET_WS_QUEUE) {
    c->dropped++;
    c->net->ws_dropped++;
    c->q_tail->dropped_after++;
    return 0;
  }
  otp_ws_frame *f = malloc(sizeof *f + LWS_PRE + len);
  if (!f) {
    c->dropped++;
    c->net->ws_dropped++;
    if (c->q_tail) c->q_tail->dropped_after++;
    else c->dropped_pending++;
    return 0;
  }
  f->next = NULL;
  f->len = len;
  f->dropped_after = 0;
  memcpy(f->data + LWS_PRE, text, len);
  if (c->q_tail) c->q_tail->next = f;
  else c->q_head = f;
  c->q_tail = f;
  c->q_len++;
  lws_callback_on_writable(c->wsi);
  return 1;
}

static int write_text(struct lws *wsi, unsigned char *text, size_t len) {
  return lws_write(wsi, text, len, LWS_WRITE_TEXT) < (int)len ? -1 : 0;
}

int otp_ws_writable(otp_net_conn *c, struct lws *wsi) {
  if (c->dropped_pending) {       /* the report of frames dropped before the next one */
    unsigned char buf[LWS_PRE + 96];
    int n = snprintf((char *)buf + LWS_PRE, sizeof buf - LWS_PRE,
                     "{\"type\":\"dropped\",\"count\":%llu,\"total\":%llu}",
                     (unsigned long long)c->dropped_pending, (unsigned long long)c->dropped);
    c->dropped_pending = 0;
    if (write_text(wsi, buf + LWS_PRE, (size_t)n) != 0) return -1;
  } else if (c->q_head) {
    otp_ws_frame *f = c->q_head;
    c->q_head = f->next;
    if (!c->q_head) c->q_tail = NULL;
    c->q_len--;
    c->dropped_pending = f->dropped_after;
    int rc = write_text(wsi, f->data + LWS_PRE, f->len);
    free(f);
    if (rc != 0) return -1;
    c->sent++;
    c->net->ws_frames++;
  }
  if (c->q_head || c->dropped_pending) lws_callback_on_writable(wsi);
  else if (c->close_after) {
    lws_close_reason(wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, NULL, 0);
    return -1;
  }
  return 0;
}

void otp_ws_close(otp_net_conn *c) {
  c->close_after = 1;
  lws_callback_on_writable(c->wsi);
}

void otp_ws_closed(otp_net_conn *c) {
  while (c->q_head) {
    otp_ws_frame *f = c->q_head;
    c->q_head = f->next;
    free(f);
  }
  c->q_tail = NULL;
  c->q_len = 0;
  if (otp_net_post_begin(c->net, "ws_close", 2)) {
    lua_pushinteger(c->net->node->L, (lua_Integer)c->id);
    lua_rawseti(c->net->node->L, -2, 2);
    otp_net_post_end(c->net);
  }
}
