/*
** The server: a libwebsockets context on the node's loop and its HTTP half.
** A request is checked here (token, header and body caps), collected, and
** posted to the API server process; its answer comes back through
** otp_net_respond and is written when the socket is writable.  Errors this
** side finds are answered in the envelope of API.md section 10.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <lauxlib.h>
#include "net/conn.h"
#include "core/mailbox.h"
#include "core/signal.h"

/* ---- connections ---- */

int otp_net_conn_add(otp_net *net, otp_net_conn *c) {
  uint32_t slot;
  if (net->nfree) {
    slot = net->free_slots[--net->nfree];
  } else {
    if (net->nconns == OTP_NET_MAX_CONNS) return -1;
    if (net->nconns == net->conns_cap) {
      uint32_t cap = net->conns_cap ? net->conns_cap * 2 : 64;
      otp_net_conn **conns = realloc(net->conns, cap * sizeof *conns);
      uint32_t *free_slots = conns ? realloc(net->free_slots, cap * sizeof *free_slots) : NULL;
      if (conns) net->conns = conns;
      if (!free_slots) return -1;
      net->free_slots = free_slots;
      net->conns_cap = cap;
    }
    slot = net->nconns++;
  }
  net->conns[slot] = c;
  c->slot = slot;
  c->net = net;
  otp_net_conn_renew(net, c);
  return 0;
}

void otp_net_conn_remove(otp_net *net, otp_net_conn *c) {
  if (c->slot == UINT32_MAX) return;
  net->conns[c->slot] = NULL;
  net->free_slots[net->nfree++] = c->slot;
  c->slot = UINT32_MAX;
  c->id = 0;
}

void otp_net_conn_renew(otp_net *net, otp_net_conn *c) {
  c->id = (++net->serial << OTP_NET_SLOT_BITS) | c->slot;
}

otp_net_conn *otp_net_conn_find(otp_net *net, uint64_t id) {
  uint32_t slot = (uint32_t)(id & (OTP_NET_MAX_CONNS - 1));
  if (id == 0 || slot >= net->nconns) return NULL;
  otp_net_conn *c = net->conns[slot];
  return c && c->id == id ? c : NULL;
}

static void reset_request(otp_net_conn *c) {
  free(c->path);
  free(c->query);
  free(c->body);
  free(c->resp);
  c->path = c->query = NULL;
  c->body = c->resp = NULL;
  c->body_len = c->body_cap = c->resp_len = 0;
  c->refused = c->too_large = c->retry_after = 0;
  c->resp_status = 0;
}

/* ---- reading a request ---- */

char *otp_net_header(struct lws *wsi, enum lws_token_indexes tok) {
  int len = lws_hdr_total_length(wsi, tok);
  if (len <= 0) return NULL;
  char *s = malloc((size_t)len + 1);
  if (s && lws_hdr_copy(wsi, s, len + 1, tok) < 0) {
    free(s);
    return NULL;
  }
  return s;
}

/* Compares in a time that does not depend on where the texts differ. */
static int token_matches(const char *token, const char *given) {
  size_t n = strlen(token), m = strlen(given);
  unsigned diff = (unsigned)(n ^ m);
  for (size_t i = 0; i < n; i++) diff |= (unsigned char)token[i] ^ (unsigned char)given[i < m ? i : 0];
  return diff == 0;
}

/* The header, or (for the dashboard's WebSocket, which a browser cannot
** give headers) the query argument token=T. */
int otp_net_authorized(otp_net *net, struct lws *wsi) {
  if (!net->token) return 1;
  char *auth = otp_net_header(wsi, WSI_TOKEN_HTTP_AUTHORIZATION);
  int ok = auth && strncmp(auth, "Bearer ", 7) == 0 && token_matches(net->token, auth + 7);
  free(auth);
  if (!ok) {
    char arg[256];
    const char *given = lws_get_urlarg_by_name(wsi, "token=", arg, (int)sizeof arg);
    ok = given && token_matches(net->token, given);
  }
  return ok;
}

/* A name of this machine's loopback: localhost, 127.x.y.z or ::1. */
static int loopback_name(const char *h, size_t n) {
  if (n == 9 && strncasecmp(h, "localhost", 9) == 0) return 1;
  if (n == 3 && memcmp(h, "::1", 3) == 0) return 1;
  if (n < 4 || memcmp(h, "127.", 4) != 0) return 0;
  for (size_t i = 4; i < n; i++)
    if (!(h[i] == '.' || (h[i] >= '0' && h[i] <= '9'))) return 0;
  return 1;
}

int otp_net_host_allowed(otp_net *net, struct lws *wsi) {
  if (!net->loopback) return 1;          /* beyond loopback the token guards it */
  char *host = otp_net_header(wsi, WSI_TOKEN_HOST);
  if (!host) return 1;                   /* HTTP/1.0 without Host: not a browser */
  const char *name = host, *end;
  if (*host == '[') {                    /* [::1]:4000 */
    name = host + 1;
    end = strchr(name, ']');
  } else {
    end = strrchr(host, ':');
  }
  if (!end) end = host + strlen(host);
  int ok = end >= name && loopback_name(name, (size_t)(end - name));
  free(host);
  return ok;
}

int otp_net_read_target(otp_net_conn *c, struct lws *wsi, enum lws_token_indexes tok) {
  c->path = otp_net_header(wsi, tok);
  if (!c->path) return -1;
  size_t qlen = 0;
  int n = 0, flen;
  while ((flen = lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_URI_ARGS, n)) > 0) {
    qlen += (size_t)flen + 1;
    n++;
  }
  if (n == 0) return 0;
  c->query = malloc(qlen + 1);
  if (!c->query) return -1;
  size_t at = 0;
  for (int i = 0; i < n; i++) {
    int got = lws_hdr_copy_fragment(wsi, c->query + at, (int)(qlen + 1 - at),
                                    WSI_TOKEN_HTTP_URI_ARGS, i);
    if (got < 0) got = 0;
    at += (size_t)got;
    c->query[at++] = '\1';
  }
  c->query[at ? at - 1 : 0] = '\0';
  return 0;
}

void otp_net_push_query(lua_State *L, const otp_net_conn *c) {
  lua_newtable(L);
  if (!c->query) return;
  const char *s = c->query;
  int n = 0;
  while (*s) {
    const char *end = strchr(s, '\1');
    size_t len = end ? (size_t)(end - s) : strlen(s);
    const char *eq = memchr(s, '=', len);
    lua_createtable(L, 2, 0);
    lua_pushlstring(L, s, eq ? (size_t)(eq - s) : len);
    lua_rawseti(L, -2, 1);
    if (eq) lua_pushlstring(L, eq + 1, len - (size_t)(eq + 1 - s));
    else lua_pushliteral(L, "");
    lua_rawseti(L, -2, 2);
    lua_rawseti(L, -2, ++n);
    if (!end) break;
    s = end + 1;
  }
}

static const struct { enum lws_token_indexes tok; const char *name; int has_body; } methods[] = {
  {WSI_TOKEN_GET_URI, "GET", 0},       {WSI_TOKEN_POST_URI, "POST", 1},
  {WSI_TOKEN_PUT_URI, "PUT", 1},       {WSI_TOKEN_DELETE_URI, "DELETE", 0},
  {WSI_TOKEN_PATCH_URI, "PATCH", 1},   {WSI_TOKEN_OPTIONS_URI, "OPTIONS", 0},
  {WSI_TOKEN_HEAD_URI, "HEAD", 0},
};

/* ---- posting to the API server ---- */

int otp_net_post_begin(otp_net *net, const char *kind, int nfields) {
  if (net->closing || !otp_proc_get(net->node, net->server)) return 0;
  lua_State *L = net->node->L;
  lua_createtable(L, nfields, 0);
  lua_pushstring(L, kind);
  lua_rawseti(L, -2, 1);
  return 1;
}

void otp_net_post_end(otp_net *net) {
  otp_node *node = net->node;
  otp_proc *p = otp_proc_get(node, net->server);
  if (!p) {
    lua_pop(node->L, 1);
    return;
  }
  /* the message was built outside any process: it becomes the server's */
  otp_charge_state cs = otp_charge_receiver(node, p);
  otp_mailbox_put(node, node->L, p, OTP_PID_NONE);
  otp_charge_restore(node, cs);
}

void otp_net_post_request(otp_net_conn *c) {
  otp_net *net = c->net;
  net->requests++;
  if (!otp_net_post_begin(net, "http", 6)) {
    otp_net_respond_error(c, 503, "unavailable", "the API server is not running yet; try again");
    return;
  }
  lua_State *L = net->node->L;
  lua_pushinteger(L, (lua_Integer)c->id);
  lua_rawseti(L, -2, 2);
  lua_pushstring(L, c->method);
  lua_rawseti(L, -2, 3);
  lua_pushstring(L, c->path);
  lua_rawseti(L, -2, 4);
  otp_net_push_query(L, c);
  lua_rawseti(L, -2, 5);
  lua_pushlstring(L, c->body ? (const char *)c->body : "", c->body_len);
  lua_rawseti(L, -2, 6);
  otp_net_post_end(net);
}

/* ---- writing the answer ---- */

void otp_net_respond(otp_net_conn *c, int status, const char *type, const char *body,
                     size_t len) {
  free(c->resp);
  c->resp = malloc(LWS_PRE + len + 1);
  if (!c->resp) {
    c->close_after = 1;
    len = 0;
  } else {
    memcpy(c->resp + LWS_PRE, body, len);
  }
  c->resp_len = len;
  c->resp_status = status;
  c->resp_type = type;
  c->net->responses++;
  lws_callback_on_writable(c->wsi);
}

void otp_net_respond_owned(otp_net_conn *c, int status, const char *type, unsigned char *buf,
                           size_t len) {
  free(c->resp);
  c->resp = buf;
  c->resp_len = len;
  c->resp_status = status;
  c->resp_type = type;
  c->net->responses++;
  lws_callback_on_writable(c->wsi);
}

void otp_net_respond_error(otp_net_conn *c, int status, const char *code,
                           const char *message) {
  char buf[512];
  int n = snprintf(buf, sizeof buf,
                   "{\"success\":false,\"error\":{\"code\":\"%s\",\"message\":\"%s\"},"
                   "\"timestamp\":%lld}",
                   code, message, (long long)time(NULL) * 1000);
  c->refused = 1;
  c->net->refused++;
  otp_net_respond(c, status, "application/json", buf, (size_t)n);
}

static int write_response(otp_net_conn *c, struct lws *wsi) {
  unsigned char hdr[LWS_PRE + 1024], *start = hdr + LWS_PRE, *p = start, *end = hdr + sizeof hdr;
  static const char csp[] = "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                            "img-src 'self' data:; connect-src 'self' ws:";
  if (lws_add_http_common_headers(wsi, (unsigned)c->resp_status, c->resp_type,
                                  (lws_filepos_t)c->resp_len, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
                                  (const unsigned char *)"no-store", 8, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"content-security-policy:",
                                  (const unsigned char *)csp, (int)sizeof csp - 1, &p, end) ||
      lws_add_http_header_by_name(wsi, (const unsigned char *)"x-content-type-options:",
                                  (const unsigned char *)"nosniff", 7, &p, end) ||
      (c->retry_after &&
       lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
                                   (const unsigned char *)"1", 1, &p, end)) ||
      lws_finalize_write_http_header(wsi, start, &p, end))
    return -1;
  if (c->resp_len && strcmp(c->method, "HEAD") != 0 &&
      lws_write(wsi, c->resp + LWS_PRE, c->resp_len, LWS_WRITE_HTTP_FINAL) < 0)
    return -1;
  int close = c->close_after;
  reset_request(c);
  if (close) return -1;
  otp_net_conn_renew(c->net, c);
  return lws_http_transaction_completed(wsi) ? -1 : 0;
}

/* ---- the one protocol: HTTP, and WebSocket on /api/v1/events ---- */

static void respond_too_large(otp_net_conn *c) {
  otp_net_respond_error(c, 413, "limit", "the request body is larger than the server accepts (1 MiB): "
                        "send less, e.g. fewer or smaller messages");
}

/* What the request's headers take, as far as lws lets us see them: every
** header it knows (the request line's target, Cookie, Authorization...),
** name and value.  Headers it does not know take its room too, but lws 4.1
** cannot list them; they are bounded by OTP_NET_HEADER_SPACE only. */
static size_t headers_size(struct lws *wsi) {
  size_t total = 0;
  for (int t = 0; t < (int)_WSI_TOKEN_CLIENT_SENT_PROTOCOLS; t++) {
    int len = lws_hdr_total_length(wsi, (enum lws_token_indexes)t);
    if (len <= 0) continue;
    const unsigned char *name = lws_token_to_string((enum lws_token_indexes)t);
    total += (size_t)len + (name ? strlen((const char *)name) : 0) + 3;
  }
  return total;
}

static int begin_request(otp_net_conn *c, struct lws *wsi) {
  reset_request(c);
  c->method[0] = '\0';
  enum lws_token_indexes tok = WSI_TOKEN_GET_URI;
  int has_body = 0;
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
    if (lws_hdr_total_length(wsi, methods[i].tok) > 0) {
      tok = methods[i].tok;
      has_body = methods[i].has_body;
      snprintf(c->method, sizeof c->method, "%s", methods[i].name);
      break;
    }
  if (!c->method[0]) {
    otp_net_respond_error(c, 405, "badarg", "this method is not supported: use GET, POST, PUT or DELETE");
    return 0;
  }
  if (headers_size(wsi) > OTP_NET_MAX_HEADERS) {
    c->close_after = 1;
    otp_net_respond_error(c, 413, "limit", "the request's headers are larger than the server accepts "
                          "(8 KiB together, the target with its query included): send fewer or "
                          "shorter ones, e.g. a shorter query or fewer cookies");
    return 0;
  }
  if (otp_net_read_target(c, wsi, tok) != 0) {
    otp_net_respond_error(c, 400, "badarg", "the request has no readable path");
    return 0;
  }
  if (!otp_net_host_allowed(c->net, wsi)) {
    otp_net_respond_error(c, 403, "forbidden",
                          "this server listens on loopback and answers only requests addressed to "
                          "localhost or 127.0.0.1 (the Host header named another host: a page "
                          "that reached it through DNS rebinding is refused)");
    return 0;
  }
  if (!otp_net_is_api_path(c->path)) {
    otp_net_serve_static(c);
    return 0;
  }
  if (!otp_net_authorized(c->net, wsi)) {
    otp_net_respond_error(c, 401, "unauthorized",
                          "this server needs its token: send the header 'Authorization: Bearer TOKEN' "
                          "with the token otplab serve printed");
    return 0;
  }
  char *cl = otp_net_header(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH);
  unsigned long long length = cl ? strtoull(cl, NULL, 10) : 0;
  free(cl);
  if (length > OTP_NET_MAX_DISCARD) {     /* not worth reading: answer and close */
    c->close_after = 1;
    respond_too_large(c);
    return 0;
  }
  c->too_large = length > OTP_NET_MAX_BODY;
  if (!has_body || length == 0) otp_net_share_submit(c);
  return 0;
}

static void add_body(otp_net_conn *c, const void *in, size_t len) {
  if (c->refused || c->too_large || len == 0) return;
  if (c->body_len + len > OTP_NET_MAX_BODY) {   /* read the rest, then answer 413 */
    c->too_large = 1;
    free(c->body);
    c->body = NULL;
    c->body_len = c->body_cap = 0;
    return;
  }
  if (c->body_len + len > c->body_cap) {
    size_t cap = c->body_cap ? c->body_cap : 1024;
    while (cap < c->body_len + len) cap *= 2;
    unsigned char *b = realloc(c->body, cap);
    if (!b) {
      c->close_after = 1;
      otp_net_respond_error(c, 503, "limit", "the server is out of memory for this request body");
      return;
    }
    c->body = b;
    c->body_cap = cap;
  }
  memcpy(c->body + c->body_len, in, len);
  c->body_len += len;
}

/* c, registered in net->conns the first time it is seen (lws zeroes it). */
static otp_net_conn *conn_of(otp_net *net, struct lws *wsi, otp_net_conn *c) {
  if (!c) return NULL;
  if (!c->net) {
    c->wsi = wsi;
    c->slot = UINT32_MAX;
    if (otp_net_conn_add(net, c) != 0) return NULL;
  }
  return c;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len) {
  otp_net_conn *c = user;
  otp_net *net = lws_context_user(lws_get_context(wsi));
  switch (reason) {
  case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
    return otp_ws_filter(net, wsi);
  case LWS_CALLBACK_HTTP:
    if (net->closing || !(c = conn_of(net, wsi, c))) return -1;
    return begin_request(c, wsi);
  case LWS_CALLBACK_HTTP_BODY:
    add_body(c, in, len);
    return 0;
  case LWS_CALLBACK_HTTP_BODY_COMPLETION:
    if (c->too_large) respond_too_large(c);
    else if (!c->refused) otp_net_share_submit(c);
    return 0;
  case LWS_CALLBACK_HTTP_WRITEABLE:
    if (!c || !c->resp_status) return 0;
    return write_response(c, wsi);
  case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
  case LWS_CALLBACK_CLOSED_HTTP:
    if (c && c->net && !c->is_ws) {
      otp_net_share_forget(c);
      reset_request(c);
      otp_net_conn_remove(net, c);
      c->net = NULL;
    }
    break;
  case LWS_CALLBACK_ESTABLISHED:
    if (net->closing || !(c = conn_of(net, wsi, c))) return -1;
    return otp_ws_established(c, wsi);
  case LWS_CALLBACK_SERVER_WRITEABLE:
    return c && c->net ? otp_ws_writable(c, wsi) : 0;
  case LWS_CALLBACK_RECEIVE:
    return 0;             /* the event stream is one way */
  case LWS_CALLBACK_CLOSED:
    if (!c || !c->net) break;
    otp_ws_closed(c);
    reset_request(c);
    otp_net_conn_remove(net, c);
    c->net = NULL;
    return 0;
  default:
    break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
  /* first: a WebSocket that names no subprotocol lands here, as does HTTP */
  {"otplab-events", callback, sizeof(otp_net_conn), 4096, 0, NULL, 0},
  {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- the context ---- */

static int is_loopback(const char *bind) {
  return strcmp(bind, "127.0.0.1") == 0 || strncmp(bind, "127.", 4) == 0 ||
         strcmp(bind, "localhost") == 0 || strcmp(bind, "::1") == 0;
}

otp_net *otp_net_open(otp_node *node, const otp_net_config *cfg, char *err, size_t errlen) {
  otp_net *net = calloc(1, sizeof *net);
  if (!net) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  net->node = node;
  net->loopback = is_loopback(cfg->bind);
  if (cfg->token) net->token = strdup(cfg->token);
  char *root = cfg->web_root ? strdup(cfg->web_root) : otp_net_default_web_root();
  net->web_root = root ? realpath(root, NULL) : NULL;
  if (!net->web_root) net->web_root = root;     /* kept for the "not built" page */
  else free(root);
  /* lws logs what clients do wrong ("Ran out of header data space") on
  ** stderr, where the user can do nothing about it: the client is answered
  ** instead, and a port in use is said below, in words */
  lws_set_log_level(0, NULL);
  void *loops[] = {&node->loop};
  struct lws_context_creation_info info;
  memset(&info, 0, sizeof info);
  info.port = cfg->port;
  info.iface = cfg->bind;
  info.protocols = protocols;
  info.options = LWS_SERVER_OPTION_LIBUV | LWS_SERVER_OPTION_VALIDATE_UTF8 |
                 LWS_SERVER_OPTION_EXPLICIT_VHOSTS |
                 (strchr(cfg->bind, ':') ? 0 : LWS_SERVER_OPTION_DISABLE_IPV6);
  info.foreign_loops = loops;
  /* lws closes a connection whose headers overflow its room, without an
  ** answer: the room is larger than the cap, which is answered 413 */
  info.max_http_header_data = OTP_NET_HEADER_SPACE;
  info.max_http_header_pool = OTP_NET_HEADER_POOL;
  info.user = net;
  info.vhost_name = "default";
  info.timeout_secs = 20;
  info.ka_time = 0;
  net->ctx = lws_create_context(&info);
  /* the vhost apart: a port in use fails it alone, and the context closes
  ** as usual (a context that made its own vhost and failed does not) */
  struct lws_vhost *vh = net->ctx ? lws_create_vhost(net->ctx, &info) : NULL;
  net->port = vh ? lws_get_vhost_listen_port(vh) : 0;
  otp_net_share_init(net, cfg->share > 0 ? cfg->share : OTP_NET_DEFAULT_SHARE);
  if (net->port <= 0) {
    snprintf(err, errlen, "cannot listen on %s:%d (is the port in use? choose another with --port)",
             cfg->bind, cfg->port);
    if (net->ctx) otp_net_close(net);
    otp_net_free(net);
    return NULL;
  }
  return net;
}

int otp_net_port(const otp_net *net) { return net->port; }

const char *otp_net_web_root(const otp_net *net) { return net->web_root; }

void otp_net_post_signal(otp_net *net, const char *signame) {
  if (!otp_net_post_begin(net, "signal", 2)) return;
  lua_pushstring(net->node->L, signame);
  lua_rawseti(net->node->L, -2, 2);
  otp_net_post_end(net);
}

void otp_net_close(otp_net *net) {
  if (!net) return;
  net->closing = 1;
  otp_net_children_close(net);
  otp_net_share_close(net);
  lws_context_destroy(net->ctx);
  /* on a foreign loop the first call only closes: the handles' close
  ** callbacks run, then a second call frees the context */
  for (int turns = 0; turns < 100 && uv_run(&net->node->loop, UV_RUN_NOWAIT); turns++) {}
  lws_context_destroy(net->ctx);
  net->ctx = NULL;
}

void otp_net_free(otp_net *net) {
  if (!net) return;
  free(net->conns);
  free(net->free_slots);
  free(net->token);
  free(net->web_root);
  free(net);
}
