/*
** The console without a terminal: stdin is read with libuv (a stream for a
** pipe or a terminal, file reads otherwise) and handed to the shell one line
** at a time, only when it asks, so `echo 'demo(); tree()' | otplab console`
** evaluates in order and ends at end of input.
*/
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "console/console.h"

#define MAX_PENDING (1u << 20)   /* read ahead at most this much input */

static void append(otp_console *c, const char *data, size_t n) {
  if (c->in_len + n > c->in_cap) {
    size_t cap = c->in_cap ? c->in_cap : 8192;
    while (cap < c->in_len + n) cap *= 2;
    char *buf = realloc(c->in_buf, cap);
    if (!buf) abort();
    c->in_buf = buf;
    c->in_cap = cap;
  }
  memcpy(c->in_buf + c->in_len, data, n);
  c->in_len += n;
}

/* Hands over the next whole line (or what is left at end of input). */
static int deliver_line(otp_console *c) {
  char *nl = c->in_len ? memchr(c->in_buf, '\n', c->in_len) : NULL;
  if (!nl && !(c->in_eof && c->in_len)) return 0;
  size_t used = nl ? (size_t)(nl - c->in_buf) + 1 : c->in_len;
  size_t len = nl ? used - 1 : used;
  if (len && c->in_buf[len - 1] == '\r') len--;
  otp_console_deliver(c, "line", c->in_buf, len);
  memmove(c->in_buf, c->in_buf + used, c->in_len - used);
  c->in_len -= used;
  return 1;
}

static void read_more(otp_console *c);

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  otp_console *c = h->data;
  (void)suggested;
  *buf = uv_buf_init(c->in_chunk, sizeof c->in_chunk);
}

static void got(otp_console *c, ssize_t n, const char *data) {
  if (n > 0) append(c, data, (size_t)n);
  else if (n < 0 || n == UV_EOF) c->in_eof = 1;
  if (c->want != CONSOLE_IDLE) otp_lines_want(c);
}

static void on_stream(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  otp_console *c = s->data;
  if (n == 0) return;
  if (n < 0 || c->in_len + (size_t)n >= MAX_PENDING) {
    uv_read_stop(s);
    c->in_reading = 0;
  }
  got(c, n == UV_EOF ? -1 : n, buf->base);
}

static void on_file(uv_fs_t *req) {
  otp_console *c = req->data;
  ssize_t n = req->result;
  uv_fs_req_cleanup(req);
  c->in_reading = 0;
  got(c, n == 0 ? -1 : n, c->in_chunk);
}

static void read_more(otp_console *c) {
  if (c->in_reading || c->in_eof) return;
  c->in_reading = 1;
  if (c->in_is_pipe) {
    uv_read_start((uv_stream_t *)&c->in_pipe, on_alloc, on_stream);
    return;
  }
  uv_buf_t buf = uv_buf_init(c->in_chunk, sizeof c->in_chunk);
  uv_fs_read(&c->node->loop, &c->in_req, STDIN_FILENO, &buf, 1, -1, on_file);
}

void otp_lines_want(otp_console *c) {
  if (deliver_line(c)) return;
  if (c->in_eof) otp_console_deliver(c, "eof", NULL, 0);
  else read_more(c);
}

int otp_lines_open(otp_console *c) {
  setvbuf(stdout, NULL, _IOLBF, 0);   /* output and reports keep their order */
  c->in_req.data = c;
  uv_handle_type type = uv_guess_handle(STDIN_FILENO);
  if (type == UV_NAMED_PIPE || type == UV_TTY) {
    c->in_is_pipe = 1;
    uv_pipe_init(&c->node->loop, &c->in_pipe, 0);
    c->in_pipe.data = c;
    if (uv_pipe_open(&c->in_pipe, STDIN_FILENO) != 0) {
      fprintf(stderr, "otplab console: cannot read stdin\n");
      return -1;
    }
  }
  return 0;
}

void otp_lines_close(otp_console *c) {
  if (c->in_is_pipe) uv_close((uv_handle_t *)&c->in_pipe, NULL);
  free(c->in_buf);
  c->in_buf = NULL;
}
