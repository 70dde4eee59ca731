/*
** The bytes of a connection, on the node's loop and never blocking it.
** After the handshake a connection carries packets: a 4-byte length and
** that many bytes (length 0 is a tick).  The reader gathers them however
** the socket hands them over, so a 20 MB message costs no stall; the writer
** queues what the socket does not take at once and writes it when the
** socket is writable.  Ticks: each side sends one when it has sent nothing
** for a quarter of the tick time, and a peer silent for the whole tick
** time is down, as Erlang's net_kernel decides.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "dist/dist_internal.h"
#include "core/node.h"

#define READ_CHUNK 65536
#define READ_BUDGET (4u << 20)           /* bytes per readable event: others get their turn */
#define MAX_PACKET (256u << 20)          /* Erlang's own default limit is none; ours is this */
#define MAX_QUEUED (512u << 20)          /* a peer that stops reading is dropped beyond it */

uint64_t wire_now_ms(void) { return otp_now_ns() / 1000000u; }

static void on_io(uv_poll_t *h, int status, int events);

static void set_events(dist_conn *c) {
  unsigned want = UV_READABLE | (c->out_len > c->out_off ? UV_WRITABLE : 0);
  if (c->polling && want != c->poll_events) {
    c->poll_events = want;
    uv_poll_start(&c->poll, (int)want, on_io);
  }
}

void wire_start(dist_conn *c) {
  int flags = fcntl(c->fd, F_GETFL);
  if (flags >= 0) fcntl(c->fd, F_SETFL, flags | O_NONBLOCK);
  if (uv_poll_init(&c->dist->node->loop, &c->poll, c->fd) != 0) {
    dist_conn_drop(c, "its socket cannot be polled");
    return;
  }
  c->poll.data = c;
  c->polling = 1;
  c->poll_events = 0;
  c->last_in_ms = c->last_out_ms = wire_now_ms();
  set_events(c);
}

static void poll_closed(uv_handle_t *h) { free(h->data); }

void wire_close(dist_conn *c) {
  if (c->fd >= 0) ei_close_connection(c->fd);
  c->fd = -1;
  free(c->in);
  free(c->out);
  c->in = c->out = NULL;
  if (c->polling) {
    uv_poll_stop(&c->poll);
    uv_close((uv_handle_t *)&c->poll, poll_closed);
  } else {
    free(c);
  }
}

/* Writes what the socket takes; 0, or -1 if the connection broke. */
static int flush(dist_conn *c) {
  while (c->fd >= 0 && c->out_off < c->out_len) {
    ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n <= 0) return -1;
    c->out_off += (size_t)n;
    c->last_out_ms = wire_now_ms();
  }
  if (c->out_off == c->out_len) c->out_off = c->out_len = 0;
  set_events(c);
  return 0;
}

static int reserve(char **buf, size_t *cap, size_t need) {
  if (need <= *cap) return 0;
  size_t n = *cap ? *cap : 4096;
  while (n < need) n *= 2;
  char *b = realloc(*buf, n);
  if (!b) return -1;
  *buf = b;
  *cap = n;
  return 0;
}

static void put32(char *p, uint32_t v) {
  p[0] = (char)(v >> 24);
  p[1] = (char)(v >> 16);
  p[2] = (char)(v >> 8);
  p[3] = (char)v;
}

static int queue(dist_conn *c, const char *ctl, int ctl_len, const char *msg, int msg_len,
                 int tick) {
  size_t body = tick ? 0 : 1 + (size_t)ctl_len + (size_t)msg_len;
  if (c->out_len - c->out_off + body + 4 > MAX_QUEUED) return -1;
  if (c->out_off && c->out_off == c->out_len) c->out_off = c->out_len = 0;
  if (reserve(&c->out, &c->out_cap, c->out_len + 4 + body) != 0) return -1;
  char *p = c->out + c->out_len;
  put32(p, (uint32_t)body);
  if (!tick) {
    p[4] = 'p';                                   /* pass-through: no atom cache */
    memcpy(p + 5, ctl, (size_t)ctl_len);
    if (msg_len) memcpy(p + 5 + ctl_len, msg, (size_t)msg_len);
  }
  c->out_len += 4 + body;
  return 0;
}

void wire_send(dist_conn *c, const char *ctl, int ctl_len, const char *msg, int msg_len) {
  if (queue(c, ctl, ctl_len, msg, msg_len, 0) != 0) {
    dist_conn_drop(c, "it does not read what this node sends (too much queued)");
    return;
  }
  if (c->state == CONN_UP && flush(c) != 0) dist_conn_drop(c, "writing to it failed");
}

/* Reads and handles whole packets; 0, or -1 if c was dropped. */
static int read_packets(dist_conn *c) {
  size_t budget = READ_BUDGET;
  for (;;) {
    if (reserve(&c->in, &c->in_cap, c->in_len + READ_CHUNK) != 0) {
      dist_conn_drop(c, "out of memory reading from it");
      return -1;
    }
    ssize_t n = recv(c->fd, c->in + c->in_len, READ_CHUNK, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (n <= 0) {
      dist_conn_drop(c, n == 0 ? "it closed the connection" : "reading from it failed");
      return -1;
    }
    c->in_len += (size_t)n;
    c->last_in_ms = wire_now_ms();
    size_t at = 0;
    while (c->in_len - at >= 4) {
      const unsigned char *p = (const unsigned char *)c->in + at;
      uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
      if (len > MAX_PACKET) {
        dist_conn_drop(c, "it sent a packet larger than 256 MB");
        return -1;
      }
      if (c->in_len - at - 4 < len) break;
      at += 4;
      if (len) {
        /* the packet may drop c (a bad control message): copy it out first */
        char *packet = malloc(len);
        if (!packet) {
          dist_conn_drop(c, "out of memory reading from it");
          return -1;
        }
        memcpy(packet, c->in + at, len);
        at += len;
        memmove(c->in, c->in + at, c->in_len - at);
        c->in_len -= at;
        at = 0;
        dist_conn *still = c;
        struct otp_dist *d = c->dist;
        control_packet(c, packet, len);
        free(packet);
        for (still = d->conns; still && still != c; still = still->next) {}
        if (!still || c->fd < 0) return -1;
      }
    }
    memmove(c->in, c->in + at, c->in_len - at);
    c->in_len -= at;
    if ((size_t)n >= budget) return 0;
    budget -= (size_t)n;
  }
}

static void on_io(uv_poll_t *h, int status, int events) {
  dist_conn *c = h->data;
  if (status < 0) {
    dist_conn_drop(c, "its socket failed");
    return;
  }
  if ((events & UV_WRITABLE) && flush(c) != 0) {
    dist_conn_drop(c, "writing to it failed");
    return;
  }
  if (events & UV_READABLE) read_packets(c);
}

void wire_tick(struct otp_dist *d) {
  uint64_t now = wire_now_ms(), quarter = d->ticktime_s * 250u;
  for (dist_conn *c = d->conns, *next; c; c = next) {
    next = c->next;
    if (c->state != CONN_UP) continue;
    if (now - c->last_in_ms > d->ticktime_s * 1000u) {
      dist_conn_drop(c, "it stopped answering (no tick within the net tick time)");
      continue;
    }
    if (now - c->last_out_ms >= quarter && c->out_len == c->out_off) {
      if (queue(c, NULL, 0, NULL, 0, 1) != 0 || flush(c) != 0)
        dist_conn_drop(c, "writing to it failed");
    }
  }
}
