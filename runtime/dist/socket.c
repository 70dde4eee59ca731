/*
** The sockets ei makes its connections with (ei's "user supplied socket
** implementation"): plain TCP, as ei's own, except that the handshake
** advertises DFLAG_DIST_MONITOR and DFLAG_DIST_MONITOR_NAME.  ei alone
** does not (it has no monitors), so Erlang would neither send MONITOR_P to
** otplab nor act on otplab's; otplab reads and writes every message after
** the handshake itself (wire.c, control.c) and implements them.  The flags
** are outside the cookie's digest, as in erts's own handshake.
**
** A node kept out by otp.disconnect(node, {block_ms = N}) is refused before
** the handshake answers it: the accepting side reads the name the other
** node sends first (peeking, so that ei still reads it) and closes the
** socket, so the other side's handshake fails (its otp.connect is false,
** an Erlang node's net_adm:ping is pang) instead of succeeding and then
** seeing the connection close.  So is a node that connects while this one
** is connecting to it, if this one's name is the greater: of two
** simultaneous connections Erlang keeps the greater node's, answering the
** other "nok"; a "nok" this node reads is noted in the connect's setup, and
** dist.c then waits for the other node's connection.  Each socket's context is its fd and the
** setup ei passes to every socket (dist_internal.h).
*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "dist/dist_internal.h"

#define DFLAG_DIST_MONITOR 0x08
#define DFLAG_DIST_MONITOR_NAME 0x20

typedef struct sock {
  int fd;
  dist_sock_setup *setup;
} sock;

#define FD(ctx) (((sock *)(ctx))->fd)

static int s_socket(void **ctx, void *setup) {
  sock *s = malloc(sizeof *s);
  if (!s) return ENOMEM;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    free(s);
    return errno;
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  *s = (sock){fd, setup};
  *ctx = s;
  return 0;
}

static int s_close(void *ctx) {
  int r = close(FD(ctx)) == 0 ? 0 : errno;
  free(ctx);
  return r;
}

static int s_listen(void *ctx, void *addr, int *len, int backlog) {
  socklen_t n = (socklen_t)*len;
  if (bind(FD(ctx), addr, n) != 0 || listen(FD(ctx), backlog) != 0) return errno;
  if (getsockname(FD(ctx), addr, &n) != 0) return errno;
  *len = (int)n;
  return 0;
}

/* Waits until fd is ready for events, at most tmo ms (EI_SCLBK_INF_TMO: for ever). */
static int wait_fd(int fd, short events, unsigned tmo) {
  struct pollfd p = {fd, events, 0};
  int ms = tmo == EI_SCLBK_INF_TMO ? -1 : (int)tmo;
  for (;;) {
    int r = poll(&p, 1, ms);
    if (r > 0) return 0;
    if (r == 0) return ETIMEDOUT;
    if (errno != EINTR) return errno;
  }
}

/* Peeks at the first handshake message of fd (2-byte length, then 'n'
** version:2 flags:4 name, or 'N' flags:8 creation:4 nlen:2 name) and copies
** the node name it carries into name; its whole length, or -1 if it did not
** come whole in tmo ms or is not a name message. */
static ssize_t peek_name(int fd, unsigned tmo, char *name, size_t size) {
  unsigned char buf[2 + 17 + MAXNODELEN];
  struct timeval tv = {(time_t)(tmo / 1000), (suseconds_t)(tmo % 1000) * 1000};
  struct timeval none = {0, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t got = recv(fd, buf, 2, MSG_PEEK | MSG_WAITALL);
  size_t len = got == 2 ? (size_t)(buf[0] << 8 | buf[1]) : 0;
  if (len > 0 && len <= sizeof buf - 2) got = recv(fd, buf, 2 + len, MSG_PEEK | MSG_WAITALL);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  if (len == 0 || len > sizeof buf - 2 || got != (ssize_t)(2 + len)) return -1;
  size_t at, n;
  if (buf[2] == 'n' && len >= 7) {
    at = 9;
    n = len - 7;
  } else if (buf[2] == 'N' && len >= 15) {
    at = 17;
    n = (size_t)(buf[15] << 8 | buf[16]);
    if (n > len - 15) return -1;
  } else {
    return -1;
  }
  if (n >= size) return -1;
  memcpy(name, buf + at, n);
  name[n] = 0;
  return got;
}

/* Answers the name message (len bytes, read now) with Erlang's status
** (2-byte length, 's', the status) before closing: "nok" tells an Erlang
** node to wait for this node's own connection, "not_allowed" that it may
** not connect. Reading first lets the close be a clean end, not a reset. */
static void refuse(int fd, size_t len, const char *status) {
  char buf[2 + 17 + MAXNODELEN], out[16];
  if (len <= sizeof buf) (void)!recv(fd, buf, len, MSG_WAITALL);
  size_t n = strlen(status) + 1;
  out[0] = 0;
  out[1] = (char)n;
  out[2] = 's';
  memcpy(out + 3, status, n - 1);
  (void)!send(fd, out, n + 2, MSG_NOSIGNAL);
  close(fd);
}

static int s_accept(void **ctx, void *addr, int *len, unsigned tmo) {
  sock *listener = *ctx;
  struct otp_dist *d = listener->setup ? listener->setup->dist : NULL;
  int r = wait_fd(listener->fd, POLLIN, tmo);
  if (r) return r;
  socklen_t n = (socklen_t)*len;
  int fd = accept(listener->fd, addr, &n);
  if (fd < 0) return errno;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  char peer[MAXNODELEN + 1];
  ssize_t name_len;
  if (d && (d->nblocks > 0 || d->conns) &&
      (name_len = peek_name(fd, tmo, peer, sizeof peer)) > 0) {
    const char *why = dist_refusal(d, peer);
    if (why) {
      snprintf(d->refused, sizeof d->refused, "%s", peer);
      d->refused_why = why;
      refuse(fd, (size_t)name_len, dist_is_blocked(d, peer) ? "not_allowed" : "nok");
      return ECONNREFUSED;
    }
  }
  sock *s = malloc(sizeof *s);
  if (!s) {
    close(fd);
    return ENOMEM;
  }
  *s = (sock){fd, listener->setup};
  *len = (int)n;
  *ctx = s;
  return 0;
}

static int s_connect(void *ctx, void *addr, int len, unsigned tmo) {
  int fd = FD(ctx), flags = fcntl(fd, F_GETFL);
  fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int r = connect(fd, addr, (socklen_t)len) == 0 ? 0 : errno;
  if (r == EINPROGRESS) {
    r = wait_fd(fd, POLLOUT, tmo);
    socklen_t n = sizeof r;
    if (!r && getsockopt(fd, SOL_SOCKET, SO_ERROR, &r, &n) != 0) r = errno;
  }
  fcntl(fd, F_SETFL, flags);
  int one = 1;
  if (!r) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return r;
}

/* A handshake message that carries this node's flags: 'n' (version, 32-bit
** flags) or 'N' (64-bit flags), after the 2-byte length. */
static void add_flags(char *buf, ssize_t len) {
  if (len >= 9 && buf[2] == 'n') buf[8] |= DFLAG_DIST_MONITOR | DFLAG_DIST_MONITOR_NAME;
  else if (len >= 11 && buf[2] == 'N') buf[10] |= DFLAG_DIST_MONITOR | DFLAG_DIST_MONITOR_NAME;
}

static int s_write(void *ctx, const char *buf, ssize_t *len, unsigned tmo) {
  char small[512];
  if (*len <= (ssize_t)sizeof small) {   /* handshake messages are small */
    memcpy(small, buf, (size_t)*len);
    add_flags(small, *len);
    buf = small;
  }
  int r = wait_fd(FD(ctx), POLLOUT, tmo);
  if (r) return r;
  ssize_t n = send(FD(ctx), buf, (size_t)*len, MSG_NOSIGNAL);
  if (n < 0) return errno;
  *len = n;
  return 0;
}

static int s_read(void *ctx, char *buf, ssize_t *len, unsigned tmo) {
  int r = wait_fd(FD(ctx), POLLIN, tmo);
  if (r) return r;
  ssize_t n = recv(FD(ctx), buf, (size_t)*len, 0);
  if (n < 0) return errno;
  if (n == 4 && memcmp(buf, "snok", 4) == 0 && ((sock *)ctx)->setup)
    ((sock *)ctx)->setup->nok = 1;     /* a handshake status: dist.c awaits its connection */
  *len = n;
  return 0;
}

static int s_header_size(void *ctx, int *sz) {
  *sz = 2;
  return 0;
}

static int s_complete(void *ctx) { return 0; }

static int s_get_fd(void *ctx, int *fd) {
  *fd = FD(ctx);
  return 0;
}

ei_socket_callbacks dist_socket_callbacks = {
  .flags = EI_SCLBK_FLG_FULL_IMPL,
  .socket = s_socket, .close = s_close, .listen = s_listen, .EI_ACCEPT_NAME = s_accept,
  .connect = s_connect, .writev = NULL, .write = s_write, .read = s_read,
  .handshake_packet_header_size = s_header_size, .connect_handshake_complete = s_complete,
  .accept_handshake_complete = s_complete, .get_fd = s_get_fd,
};
