/*
** Files run in a child otplab (`otplab run FILE`), for POST
** /api/v1/scenarios/run: a scenario runs isolated, as `otplab test` runs
** it, so nothing it does touches the server's node.  The child is spawned
** on the node's loop (uv_spawn), in a process group of its own, with its
** stdout and stderr on one pipe; when it has exited and the pipe is read
** to its end the caller gets
**   {"child_done", id, {exit_status=, signal=, timed_out=, duration_ms=,
**                       output=, output_truncated=}}
** A child still running at its deadline is killed with its whole group.
** Also here: otp.net.realpath and otp.net.list_files, which the handler
** uses to keep paths inside the scenarios folder.
*/
#define _GNU_SOURCE   /* pipe2 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lauxlib.h>
#include "net/conn.h"
#include "core/mailbox.h"
#include "core/signal.h"
#include "core/term.h"
#include "lua/lotp.h"

#define CHILD_OUTPUT_MAX (64u << 10)   /* the newest output kept */
#define CHILD_MAX_TIMEOUT_MS (600 * 1000)

struct otp_net_child {
  struct otp_net_child *next;
  otp_net *net;
  uint64_t id;
  otp_pid caller;
  uv_process_t proc;
  uv_pipe_t out;
  uv_timer_t deadline;
  int open_handles;          /* freed when the last close callback ran */
  int exited, eof, timed_out, posted;
  int64_t exit_status;
  int term_signal;
  uint64_t started_ns;
  char *buf;                 /* the newest CHILD_OUTPUT_MAX bytes */
  size_t len;
  uint64_t dropped;          /* older bytes let go */
  char read_buf[16384];
};

static void on_closed(uv_handle_t *h) {
  otp_net_child *ch = h->data;
  if (--ch->open_handles > 0) return;
  free(ch->buf);
  free(ch);
}

static void unlink_child(otp_net_child *ch) {
  otp_net *net = ch->net;
  for (otp_net_child **at = &net->children; *at; at = &(*at)->next)
    if (*at == ch) {
      *at = ch->next;
      net->nchildren--;
      return;
    }
}

static void close_child(otp_net_child *ch) {
  unlink_child(ch);
  uv_close((uv_handle_t *)&ch->proc, on_closed);
  uv_close((uv_handle_t *)&ch->out, on_closed);
  uv_close((uv_handle_t *)&ch->deadline, on_closed);
}

static void set_int(lua_State *L, const char *key, lua_Integer v) {
  lua_pushinteger(L, v);
  lua_setfield(L, -2, key);
}

/* Both halves are in (exit and end of output): tell the caller. */
static void finish(otp_net_child *ch) {
  if (!ch->exited || !ch->eof || ch->posted) return;
  ch->posted = 1;
  otp_node *node = ch->net->node;
  otp_proc *p = ch->net->closing ? NULL : otp_proc_get(node, ch->caller);
  if (p) {
    lua_State *L = node->L;
    otp_charge_state cs = otp_charge_receiver(node, p);
    lua_createtable(L, 3, 0);
    lua_pushliteral(L, "child_done");
    lua_rawseti(L, -2, 1);
    lua_pushinteger(L, (lua_Integer)ch->id);
    lua_rawseti(L, -2, 2);
    lua_createtable(L, 0, 6);
    set_int(L, "exit_status", (lua_Integer)ch->exit_status);
    set_int(L, "signal", ch->term_signal);
    lua_pushboolean(L, ch->timed_out);
    lua_setfield(L, -2, "timed_out");
    set_int(L, "duration_ms", (lua_Integer)((otp_now_ns() - ch->started_ns) / 1000000));
    lua_pushlstring(L, ch->buf ? ch->buf : "", ch->len);
    lua_setfield(L, -2, "output");
    set_int(L, "output_truncated", (lua_Integer)ch->dropped);
    lua_rawseti(L, -2, 3);
    otp_charge_restore(node, cs);
    otp_mailbox_put(node, L, p, OTP_PID_NONE);
  }
  close_child(ch);
}

static void kill_group(otp_net_child *ch) {
  if (ch->proc.pid > 0) kill(-ch->proc.pid, SIGKILL);
}

#define CHILD_DRAIN_MS 1000    /* after the exit, for the rest of the output */

static void on_deadline(uv_timer_t *t);

static void on_child_exit(uv_process_t *proc, int64_t status, int term_signal) {
  otp_net_child *ch = proc->data;
  ch->exited = 1;
  ch->exit_status = status;
  ch->term_signal = term_signal;
  kill_group(ch);          /* what it left behind would keep the pipe open */
  /* a process that left the group could still hold the pipe: the output
  ** ends at the latest CHILD_DRAIN_MS after the exit */
  uv_timer_start(&ch->deadline, on_deadline, CHILD_DRAIN_MS, 0);
  finish(ch);
}

static void on_deadline(uv_timer_t *t) {
  otp_net_child *ch = t->data;
  if (ch->exited) {        /* the drain time is over */
    uv_read_stop((uv_stream_t *)&ch->out);
    ch->eof = 1;
    finish(ch);
    return;
  }
  ch->timed_out = 1;
  kill_group(ch);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf) {
  otp_net_child *ch = h->data;
  *buf = uv_buf_init(ch->read_buf, sizeof ch->read_buf);
}

static void keep_output(otp_net_child *ch, const char *data, size_t n) {
  if (!ch->buf && !(ch->buf = malloc(CHILD_OUTPUT_MAX))) {
    ch->dropped += n;
    return;
  }
  if (n >= CHILD_OUTPUT_MAX) {
    ch->dropped += ch->len + n - CHILD_OUTPUT_MAX;
    memcpy(ch->buf, data + n - CHILD_OUTPUT_MAX, CHILD_OUTPUT_MAX);
    ch->len = CHILD_OUTPUT_MAX;
    return;
  }
  if (ch->len + n > CHILD_OUTPUT_MAX) {      /* let the oldest bytes go */
    size_t drop = ch->len + n - CHILD_OUTPUT_MAX;
    memmove(ch->buf, ch->buf + drop, ch->len - drop);
    ch->len -= drop;
    ch->dropped += drop;
  }
  memcpy(ch->buf + ch->len, data, n);
  ch->len += n;
}

static void on_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  otp_net_child *ch = s->data;
  if (n > 0) {
    keep_output(ch, buf->base, (size_t)n);
    return;
  }
  if (n == 0) return;
  uv_read_stop(s);         /* UV_EOF, or an error: the output ends here */
  ch->eof = 1;
  finish(ch);
}

/* The child must not inherit the listening socket or a client's connection:
** libwebsockets does not open them close-on-exec. */
static void close_on_exec_all(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    int fd = atoi(e->d_name);
    if (fd > 2 && fd != dirfd(d)) {
      int flags = fcntl(fd, F_GETFD);
      if (flags >= 0 && !(flags & FD_CLOEXEC)) fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
    }
  }
  closedir(d);
}

/* otp.net.run_file(path, timeout_ms) -> id, or nil, "busy" | reason */
int otp_net_l_run_file(lua_State *L) {
  otp_net *net = lua_touserdata(L, lua_upvalueindex(1));
  const char *path = luaL_checkstring(L, 1);
  lua_Integer timeout = luaL_checkinteger(L, 2);
  otp_proc *self = otp_self(L);
  if (timeout < 1 || timeout > CHILD_MAX_TIMEOUT_MS)
    return otp_raise(L, "badarg: otp.net.run_file needs a timeout from 1 to %d ms",
                     CHILD_MAX_TIMEOUT_MS);
  if (net->closing) {
    lua_pushnil(L);
    lua_pushliteral(L, "the server is stopping");
    return 2;
  }
  if (net->nchildren >= OTP_NET_MAX_CHILDREN) {
    lua_pushnil(L);
    lua_pushliteral(L, "busy");
    return 2;
  }
  char exe[PATH_MAX];
  size_t exe_len = sizeof exe;
  int fds[2];
  if (uv_exepath(exe, &exe_len) != 0 || pipe2(fds, O_CLOEXEC) != 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "cannot start a child otplab: %s", strerror(errno));
    return 2;
  }
  otp_net_child *ch = calloc(1, sizeof *ch);
  if (!ch) {
    close(fds[0]);
    close(fds[1]);
    return otp_raise(L, "limit: out of memory starting a child otplab");
  }
  ch->net = net;
  ch->caller = self->pid;
  ch->id = ++net->serial;
  ch->started_ns = otp_now_ns();
  ch->proc.data = ch->out.data = ch->deadline.data = ch;
  uv_pipe_init(&net->node->loop, &ch->out, 0);
  uv_pipe_open(&ch->out, fds[0]);
  uv_timer_init(&net->node->loop, &ch->deadline);
  ch->open_handles = 3;

  char *args[] = {exe, "run", (char *)path, NULL};
  uv_stdio_container_t stdio[3] = {{.flags = UV_IGNORE},
                                   {.flags = UV_INHERIT_FD, .data.fd = fds[1]},
                                   {.flags = UV_INHERIT_FD, .data.fd = fds[1]}};
  uv_process_options_t opts = {.exit_cb = on_child_exit, .file = exe, .args = args,
                               .flags = UV_PROCESS_DETACHED, .stdio_count = 3, .stdio = stdio};
  close_on_exec_all();
  int rc = uv_spawn(&net->node->loop, &ch->proc, &opts);
  close(fds[1]);
  if (rc != 0) {
    /* the process handle is initialised even when the spawn fails */
    ch->next = net->children;
    net->children = ch;
    net->nchildren++;
    close_child(ch);
    lua_pushnil(L);
    lua_pushfstring(L, "cannot start a child otplab: %s", uv_strerror(rc));
    return 2;
  }
  ch->next = net->children;
  net->children = ch;
  net->nchildren++;
  uv_read_start((uv_stream_t *)&ch->out, on_alloc, on_read);
  uv_timer_start(&ch->deadline, on_deadline, (uint64_t)timeout, 0);
  lua_pushinteger(L, (lua_Integer)ch->id);
  return 1;
}

/* Kills every child and closes its handles (the server is stopping). */
void otp_net_children_close(otp_net *net) {
  while (net->children) {
    otp_net_child *ch = net->children;
    kill_group(ch);
    ch->posted = 1;
    close_child(ch);
  }
}

/* otp.net.realpath(path) -> the absolute path with no symlinks, or nil, why */
int otp_net_l_realpath(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  char out[PATH_MAX];
  if (!realpath(path, out)) {
    lua_pushnil(L);
    lua_pushstring(L, strerror(errno));
    return 2;
  }
  lua_pushstring(L, out);
  return 1;
}

static int by_text(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the files under dir/rel ending in suffix to the list on the stack's top
** (relative paths; dot files, _helpers and symlinked directories skipped). */
static void walk(lua_State *L, const char *dir, const char *rel, const char *suffix, int depth) {
  char path[PATH_MAX];
  int len = snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
  DIR *d = depth < 16 && len >= 0 && (size_t)len < sizeof path ? opendir(path) : NULL;
  if (!d) return;
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || e->d_name[0] == '_') continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 32;
      char **more = realloc(names, cap * sizeof *names);
      if (!more) break;
      names = more;
    }
    if (!(names[n] = strdup(e->d_name))) break;
    n++;
  }
  closedir(d);
  if (n) qsort(names, n, sizeof *names, by_text);
  size_t slen = strlen(suffix);
  for (size_t i = 0; i < n; i++) {
    char sub[PATH_MAX], full[PATH_MAX];
    int a = snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", names[i]);
    int b = a >= 0 && (size_t)a < sizeof sub ? snprintf(full, sizeof full, "%s/%s", dir, sub) : -1;
    struct stat st;
    if (b < 0 || (size_t)b >= sizeof full) {
      /* too long a path: not listed */
    } else if (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
      walk(L, dir, sub, suffix, depth + 1);
    } else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
      size_t len = strlen(sub);
      if (len > slen && strcmp(sub + len - slen, suffix) == 0) {
        lua_pushstring(L, sub);
        lua_rawseti(L, -2, (lua_Integer)lua_rawlen(L, -2) + 1);
      }
    }
    free(names[i]);
  }
  free(names);
}

/* otp.net.list_files(dir, suffix) -> {relative paths, sorted} (empty if no dir) */
int otp_net_l_list_files(lua_State *L) {
  const char *dir = luaL_checkstring(L, 1);
  const char *suffix = luaL_optstring(L, 2, "");
  lua_newtable(L);
  walk(L, dir, "", suffix, 0);
  return 1;
}
