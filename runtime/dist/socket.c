/*
** The sockets ei makes its connections with (ei's "user supplied socket
** implementation"): plain TCP, as ei's own, except that the handshake
** advertises DFLAG_DIST_MONITOR and DFLAG_DIST_MONITOR_NAME.  ei alone
** does not (it has no monitors), so Erlang would neither send MONITOR_P to
** otplab nor act on otplab's; otplab reads and writes every message after
** the handshake itself (wire.c, control.c) and implements them.  The flags
** are outside the cookie's digest, as in erts's own handshake.
*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include "dist/dist_internal.h"

#define DFLAG_DIST_MONITOR 0x08
#define DFLAG_DIST_MONITOR_NAME 0x20

#define FD(ctx) ((int)(intptr_t)(ctx))

static int s_socket(void **ctx, void *setup) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return errno;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  *ctx = (void *)(intptr_t)fd;
  return 0;
}

static int s_close(void *ctx) { return close(FD(ctx)) == 0 ? 0 : errno; }

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

static int s_accept(void **ctx, void *addr, int *len, unsigned tmo) {
  int r = wait_fd(FD(*ctx), POLLIN, tmo);
  if (r) return r;
  socklen_t n = (socklen_t)*len;
  int fd = accept(FD(*ctx), addr, &n);
  if (fd < 0) return errno;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  *len = (int)n;
  *ctx = (void *)(intptr_t)fd;
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
