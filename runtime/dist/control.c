/*
** Control messages (Erlang's distribution protocol, "pass-through" packets
** without an atom cache): decoded into the core's signals, and written for
** the core's signals to other nodes.  ei writes only sends; links, monitors
** and exit signals are written here, field for field as erts writes them.
*/
#include <stdio.h>
#include <string.h>
#include <lauxlib.h>
#include "dist/dist_internal.h"
#include "core/carry.h"
#include "core/copy.h"
#include "core/format.h"
#include "core/mailbox.h"
#include "core/node.h"
#include "core/registry.h"
#include "core/remote.h"
#include "core/signal.h"
#include "core/term.h"


/* ---- incoming ---- */

typedef struct {
  dist_conn *c;
  const char *buf;
  size_t len;
  int at;                /* the next field of the control tuple */
  int arity;
} packet;

static otp_node *node_of(dist_conn *c) { return c->dist->node; }

static int get_pid(packet *p, otp_pid *out) {
  erlang_pid e;
  if (ei_decode_pid(p->buf, &p->at, &e) < 0) return -1;
  *out = otp_dist_pid_in(&p->c->dist->cx, &e);
  return *out ? 0 : -1;
}

static int get_ref(packet *p, uint64_t *out) {
  erlang_ref e;
  if (ei_decode_ref(p->buf, &p->at, &e) < 0) return -1;
  *out = otp_dist_ref_in(&p->c->dist->cx, &e);
  return *out ? 0 : -1;
}

static int get_atom(packet *p, char *atom) { return ei_decode_atom(p->buf, &p->at, atom); }

static int skip_field(packet *p) {
  size_t at = (size_t)p->at;
  if (otp_dist_check_term(p->buf, p->len, &at) != 0) return -1;
  p->at = (int)at;
  return 0;
}

/* A pid or an atom (a registered name): *pid or name is set. */
static int get_proc(packet *p, otp_pid *pid, char *name) {
  int type, size;
  *pid = 0;
  name[0] = 0;
  if (ei_get_type(p->buf, &p->at, &type, &size) < 0) return -1;
  if (type == ERL_PID_EXT || type == ERL_NEW_PID_EXT) return get_pid(p, pid);
  return get_atom(p, name);
}

/* Pushes the term at p->at (the reason of an exit, the payload) onto L;
** with version, the term starts with its own version byte. */
static int push_term_at(packet *p, lua_State *L, int with_version) {
  int version;
  if ((size_t)p->at >= p->len) return -1;
  if (with_version && ei_decode_version(p->buf, &p->at, &version) < 0) return -1;
  size_t at = (size_t)p->at;
  if (otp_dist_check_term(p->buf, p->len, &at) != 0) return -1;
  otp_dist_push_term(&p->c->dist->cx, L, p->buf, &p->at);
  return 0;
}

static otp_proc *local_proc(dist_conn *c, otp_pid pid) {
  return otp_is_remote(pid) ? NULL : otp_proc_get(node_of(c), pid);
}

/* Delivers the message at the top of the main state to p (copied into its state). */
static void deliver(dist_conn *c, otp_proc *p, otp_pid from) {
  otp_node *node = node_of(c);
  lua_State *main = node->L;
  otp_charge_state cs = otp_charge_receiver(node, p);
  otp_carry carry = otp_carry_begin(main, -1, p->vm);
  lua_State *L = carry.L;
  lua_pushvalue(L, carry.idx);
  otp_copy(L, -1, OTP_COPY_LENIENT, "msg", 0);
  otp_charge_restore(node, cs);
  node->messages_sent++;
  otp_mailbox_put(node, L, p, from);
  otp_carry_end(&carry);
}

void dist_put_pid(struct otp_dist *d, ei_x_buff *x, otp_pid pid) {
  erlang_pid e;
  otp_dist_pid_out(&d->cx, pid, &e);
  ei_x_encode_pid(x, &e);
}

void dist_put_ref(struct otp_dist *d, ei_x_buff *x, uint64_t ref) {
  erlang_ref e;
  otp_dist_ref_out(&d->cx, ref, &e);
  ei_x_encode_ref(x, &e);
}

static void send_ctl(dist_conn *c, ei_x_buff *ctl, ei_x_buff *msg) {
  wire_send(c, ctl->buff, ctl->index, msg ? msg->buff : NULL, msg ? msg->index : 0);
}

/* {type, a, b} with two pids, and an atom reason if reason is not NULL. */
static void send_pair(dist_conn *c, long type, otp_pid a, otp_pid b, const char *reason) {
  ei_x_buff x;
  ei_x_new_with_version(&x);
  ei_x_encode_tuple_header(&x, reason ? 4 : 3);
  ei_x_encode_long(&x, type);
  dist_put_pid(c->dist, &x, a);
  dist_put_pid(c->dist, &x, b);
  if (reason) ei_x_encode_atom(&x, reason);
  send_ctl(c, &x, NULL);
  ei_x_free(&x);
}

static void on_send(packet *p, otp_proc *to, otp_pid from, lua_State *L) {
  if (to && push_term_at(p, L, 1) == 0) deliver(p->c, to, from);
}

static void on_link(packet *p, otp_pid from, otp_pid to) {
  otp_proc *q = local_proc(p->c, to);
  if (q) otp_remote_linked(node_of(p->c), from, q);
  else send_pair(p->c, DOP_EXIT, to, from, "noproc");   /* linking to the dead: noproc */
}

static void on_monitor(packet *p, lua_State *L, otp_pid from, otp_pid to, const char *name,
                       uint64_t ref) {
  otp_node *node = node_of(p->c);
  otp_proc *q = NULL;
  if (!to && strcmp(name, DIST_NET_KERNEL) == 0) return;   /* up while the connection is */
  if (to) {
    q = local_proc(p->c, to);
  } else {
    lua_pushstring(L, name);
    q = otp_registry_find(node, L, -1);
    lua_pop(L, 1);
  }
  if (q) {
    if (!to) lua_pushstring(L, name);
    otp_remote_monitored(node, L, from, q, ref, to ? 0 : lua_gettop(L));
    if (!to) lua_pop(L, 1);
    return;
  }
  ei_x_buff x;                                   /* an immediate DOWN: noproc */
  ei_x_new_with_version(&x);
  ei_x_encode_tuple_header(&x, 5);
  ei_x_encode_long(&x, DOP_MONITOR_P_EXIT);
  if (to) dist_put_pid(p->c->dist, &x, to);
  else ei_x_encode_atom(&x, name);
  dist_put_pid(p->c->dist, &x, from);
  dist_put_ref(p->c->dist, &x, ref);
  ei_x_encode_atom(&x, "noproc");
  send_ctl(p->c, &x, NULL);
  ei_x_free(&x);
}

/* The fields after the type; returns -1 for a malformed control message. */
static int dispatch(packet *p, long type, lua_State *L) {
  otp_node *node = node_of(p->c);
  otp_pid from = 0, to = 0;
  uint64_t ref = 0;
  char name[MAXATOMLEN_UTF8];
  switch (type) {
  case DOP_SEND: case DOP_SEND_TT: case DOP_SEND_SENDER: case DOP_SEND_SENDER_TT:
    if (type == DOP_SEND || type == DOP_SEND_TT) {
      if (skip_field(p) != 0) return -1;            /* the unused cookie */
    } else if (get_pid(p, &from) != 0) {
      return -1;
    }
    if (get_pid(p, &to) != 0) return -1;
    if (type == DOP_SEND_TT || type == DOP_SEND_SENDER_TT) skip_field(p);
    on_send(p, local_proc(p->c, to), from, L);
    return 0;
  case DOP_REG_SEND: case DOP_REG_SEND_TT:
    if (get_pid(p, &from) != 0 || skip_field(p) != 0 || get_atom(p, name) < 0) return -1;
    if (type == DOP_REG_SEND_TT && skip_field(p) != 0) return -1;
    if (strcmp(name, DIST_SPAWN_NAME) == 0) {
      if (push_term_at(p, L, 1) == 0) dist_spawn_request(p->c, L);
      return 0;
    }
    if (strcmp(name, DIST_NET_KERNEL) == 0) {
      dist_net_kernel_message(p->c, p->buf, p->len, p->at);
      return 0;
    }
    lua_pushstring(L, name);
    otp_proc *q = otp_registry_find(node, L, -1);
    lua_pop(L, 1);
    if (!q) otp_log(node, OTP_LOG_DEBUG, "dist: message to unregistered '%s' dropped", name);
    on_send(p, q, from, L);
    return 0;
  case DOP_ALIAS_SEND: case DOP_ALIAS_SEND_TT:
    if (get_pid(p, &from) != 0 || get_ref(p, &ref) != 0) return -1;
    if (type == DOP_ALIAS_SEND_TT && skip_field(p) != 0) return -1;
    otp_push_ref(L, ref);
    otp_proc *a = otp_alias_target(node, L, -1);
    lua_pop(L, 1);
    on_send(p, a, from, L);
    return 0;
  case DOP_LINK:
    if (get_pid(p, &from) != 0 || get_pid(p, &to) != 0) return -1;
    on_link(p, from, to);
    return 0;
  case DOP_UNLINK: case DOP_UNLINK_ID: {
    long long id = 0;
    if (type == DOP_UNLINK_ID && ei_decode_longlong(p->buf, &p->at, &id) < 0) {
      unsigned long long uid;      /* a big id */
      if (ei_decode_ulonglong(p->buf, &p->at, &uid) < 0) return -1;
    }
    if (get_pid(p, &from) != 0 || get_pid(p, &to) != 0) return -1;
    otp_proc *q2 = local_proc(p->c, to);
    if (q2) otp_remote_unlinked(node, from, q2);
    if (type == DOP_UNLINK_ID) {                 /* {36, Id, From, To}: from us to them */
      ei_x_buff x;
      ei_x_new_with_version(&x);
      ei_x_encode_tuple_header(&x, 4);
      ei_x_encode_long(&x, DOP_UNLINK_ID_ACK);
      ei_x_encode_longlong(&x, id);
      dist_put_pid(p->c->dist, &x, to);
      dist_put_pid(p->c->dist, &x, from);
      send_ctl(p->c, &x, NULL);
      ei_x_free(&x);
    }
    return 0;
  }
  case DOP_EXIT: case DOP_EXIT_TT: case DOP_EXIT2: case DOP_EXIT2_TT:
  case DOP_PAYLOAD_EXIT: case DOP_PAYLOAD_EXIT_TT: case DOP_PAYLOAD_EXIT2:
  case DOP_PAYLOAD_EXIT2_TT: {
    int link = type == DOP_EXIT || type == DOP_EXIT_TT || type == DOP_PAYLOAD_EXIT ||
               type == DOP_PAYLOAD_EXIT_TT;
    int payload = type >= DOP_PAYLOAD_EXIT;
    int traced = type == DOP_EXIT_TT || type == DOP_EXIT2_TT || type == DOP_PAYLOAD_EXIT_TT ||
                 type == DOP_PAYLOAD_EXIT2_TT;
    if (get_pid(p, &from) != 0 || get_pid(p, &to) != 0) return -1;
    if (traced && skip_field(p) != 0) return -1;
    if (push_term_at(p, L, payload) != 0) return -1;
    otp_proc *q3 = local_proc(p->c, to);
    if (q3) otp_remote_exit(node, L, from, q3, -1, link);
    lua_pop(L, 1);
    return 0;
  }
  case DOP_MONITOR_P: case DOP_DEMONITOR_P:
    if (get_pid(p, &from) != 0 || get_proc(p, &to, name) != 0 || get_ref(p, &ref) != 0)
      return -1;
    if (type == DOP_MONITOR_P) {
      on_monitor(p, L, from, to, name, ref);
    } else {
      otp_proc *q4 = to ? local_proc(p->c, to) : NULL;
      if (!to) {
        lua_pushstring(L, name);
        q4 = otp_registry_find(node, L, -1);
        lua_pop(L, 1);
      }
      if (q4) otp_remote_demonitored(node, from, q4, ref);
    }
    return 0;
  case DOP_MONITOR_P_EXIT: case DOP_PAYLOAD_MONITOR_P_EXIT:
    if (get_proc(p, &from, name) != 0 || get_pid(p, &to) != 0 || get_ref(p, &ref) != 0)
      return -1;
    if (push_term_at(p, L, type == DOP_PAYLOAD_MONITOR_P_EXIT) != 0) return -1;
    otp_proc *w = local_proc(p->c, to);
    if (w) otp_remote_down(node, L, w, ref, -1);
    lua_pop(L, 1);
    return 0;
  case DOP_SPAWN_REQUEST: case DOP_SPAWN_REQUEST_TT: {
    /* {29, ReqId, From, GroupLeader, MFA, Opts}: otplab runs Lua, not Erlang
    ** functions: the reply says notsup, so the caller is not left waiting */
    int req_at = p->at;
    if (skip_field(p) != 0) return -1;
    int req_len = p->at - req_at;
    if (get_pid(p, &from) != 0) return -1;
    ei_x_buff x;
    ei_x_new_with_version(&x);
    ei_x_encode_tuple_header(&x, 5);
    ei_x_encode_long(&x, DOP_SPAWN_REPLY);
    ei_x_append_buf(&x, p->buf + req_at, req_len);
    dist_put_pid(p->c->dist, &x, from);
    ei_x_encode_long(&x, 0);
    ei_x_encode_atom(&x, "notsup");
    send_ctl(p->c, &x, NULL);
    ei_x_free(&x);
    return 0;
  }
  case DOP_GROUP_LEADER: case DOP_UNLINK_ID_ACK: case DOP_SPAWN_REPLY:
    return 0;
  default:
    otp_log(node, OTP_LOG_DEBUG, "dist: %s sent control message %ld, not handled",
            p->c->peer, type);
    return 0;
  }
}

static int protected_dispatch(lua_State *L) {
  packet *p = lua_touserdata(L, 1);
  lua_pushinteger(L, dispatch(p, (long)lua_tointeger(L, 2), L));
  return 1;
}

static int still_open(dist_conn *c) {
  for (dist_conn *o = c->dist->conns; o; o = o->next)
    if (o == c) return c->fd >= 0;
  return 0;
}

void control_packet(dist_conn *c, const char *buf, size_t len) {
  otp_node *node = node_of(c);
  if (len < 2 || buf[0] != 'p') {
    otp_log(node, OTP_LOG_WARNING, "dist: %s sent a packet otplab does not read (type %d): "
            "ignored", c->peer, len ? (unsigned char)buf[0] : -1);
    return;
  }
  packet p = {c, buf, len, 1, 0};
  int version;
  long type;
  size_t end = 2;
  if (ei_decode_version(buf, &p.at, &version) < 0 ||
      otp_dist_check_term(buf, len, &end) != 0 ||
      ei_decode_tuple_header(buf, &p.at, &p.arity) < 0 || p.arity < 1 ||
      ei_decode_long(buf, &p.at, &type) < 0) {
    dist_conn_drop(c, "it sent a malformed control message");
    return;
  }
  lua_State *L = node->L;
  int top = lua_gettop(L);
  otp_log(node, OTP_LOG_DEBUG, "dist: %s sent control message %ld", c->peer, type);
  /* protected: a message too big for the node's memory must not end it */
  lua_pushcfunction(L, protected_dispatch);
  lua_pushlightuserdata(L, &p);
  lua_pushinteger(L, type);
  int ok = lua_pcall(L, 2, 1, 0) == LUA_OK;
  int r = ok ? (int)lua_tointeger(L, -1) : -1;
  if (!ok)
    otp_log(node, OTP_LOG_ERROR, "dist: a message from %s could not be taken in (%s): the "
            "connection is closed", c->peer, lua_tostring(L, -1));
  lua_settop(L, top);
  if (r != 0 && still_open(c))
    dist_conn_drop(c, ok ? "it sent a malformed control message" : "a message failed");
}
