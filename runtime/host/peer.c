/*
** otp.peer's host half: other otplab nodes started as child OS processes, as
** OTP's peer module starts Erlang nodes (lua/otp/peer.lua is the Lua half),
** and otp.net_kernel.start, which makes a running node an Erlang node.
**
** A peer is `otplab run --sname NAME [--cookie C] ARGS... BOOT ORIGIN`, where
** BOOT is lua/otp/peer/boot.lua, spawned with uv_spawn (the loop never
** waits for it). Two pipes tie it to this node:
**   - its stdin, which nobody writes: the peer halts when it reads EOF
**     there, so it goes when the pipe's write end closes: otp.peer.stop, the
**     exit of its control process, the end of this node, or this OS process
**     dying in any way (kill -9 too: the kernel closes the pipe);
**   - its fd 3, where BOOT writes "up" once it is connected to this node.
** Its stdout and stderr are this process's. The control process (the
** owner) is told {"$peer", ref, "up"} and {"$peer", ref, "exit", status,
** signal}. A control process killed outright cannot close the pipe itself:
** a watch timer closes the pipes of owners that are gone.
*/
#define _GNU_SOURCE 1   /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "host/cli.h"
#include "core/dist_ops.h"
#include "core/env.h"
#include "core/mailbox.h"
#include "core/term.h"
#include "lua/lotp.h"
#ifdef OTP_HAVE_DIST
#include "dist/dist.h"
#endif

#define PEER_BOOT OTP_LUA_DIR "/otp/peer/boot.lua"
#define PEER_MAX_ARGS 64
#define WATCH_MS 100
#define STOP_GRACE_MS 3000        /* at the node's end: then SIGKILL */

typedef struct peer_child {
  uv_process_t proc;
  uv_pipe_t ctl;                  /* fd 3 of the peer: "up\n" */
  struct peer_host *host;
  otp_pid owner;
  uint64_t ref;
  int in_fd;                      /* write end of its stdin; -1 once closed */
  int open_handles, exited, said_up;
  char name[300];
  char seen[8];                   /* what fd 3 said so far */
  size_t seen_len;
  char rbuf[64];
  struct peer_child *next;
} peer_child;

typedef struct peer_host {
  otp_node *node;
  char sname[256], cookie[256];
  int have_cookie, longnames;
  unsigned ticktime_s;
  unsigned counter;               /* random_name's unique integer */
  uv_timer_t watch;
  peer_child *children;
} peer_host;

static const char host_key = 0;  /* its address keys the peer_host in the registry */

static peer_host *host_of(lua_State *L) {
  lua_rawgetp(L, LUA_REGISTRYINDEX, &host_key);
  peer_host *h = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return h;
}

/* {"$peer", ref, what[, status, signal]} to the owner, if it lives. */
static void tell(peer_child *c, const char *what, int64_t status, int sig) {
  otp_node *node = c->host->node;
  otp_proc *p = otp_proc_get(node, c->owner);
  if (!p || p->vm != &node->main) return;
  lua_State *L = node->L;
  lua_createtable(L, 5, 0);
  lua_pushliteral(L, "$peer");
  lua_rawseti(L, -2, 1);
  otp_push_ref(L, c->ref);
  lua_rawseti(L, -2, 2);
  lua_pushstring(L, what);
  lua_rawseti(L, -2, 3);
  if (strcmp(what, "exit") == 0) {
    lua_pushinteger(L, status);
    lua_rawseti(L, -2, 4);
    lua_pushinteger(L, sig);
    lua_rawseti(L, -2, 5);
  }
  otp_mailbox_put(node, L, p, OTP_PID_NONE);
}

static void close_input(peer_child *c) {
  if (c->in_fd >= 0) close(c->in_fd);
  c->in_fd = -1;
}

static void child_closed(uv_handle_t *h) {
  peer_child *c = h->data;
  if (--c->open_handles > 0) return;
  peer_host *host = c->host;
  for (peer_child **pp = &host->children; *pp; pp = &(*pp)->next)
    if (*pp == c) {
      *pp = c->next;
      break;
    }
  free(c);
  if (!host->children) uv_timer_stop(&host->watch);
}

static void ctl_close(peer_child *c) {
  if (!uv_is_closing((uv_handle_t *)&c->ctl)) uv_close((uv_handle_t *)&c->ctl, child_closed);
}

static void on_child_exit(uv_process_t *proc, int64_t status, int sig) {
  peer_child *c = proc->data;
  c->exited = 1;
  c->host->node->outside_holds--;
  close_input(c);
  tell(c, "exit", status, sig);
  ctl_close(c);
  uv_close((uv_handle_t *)proc, child_closed);
}

static void on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf) {
  peer_child *c = h->data;
  *buf = uv_buf_init(c->rbuf, sizeof c->rbuf);
}

static void on_ctl_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf) {
  peer_child *c = s->data;
  if (n < 0) {                    /* EOF: the peer is going; its exit says the rest */
    uv_read_stop(s);
    return;
  }
  for (ssize_t i = 0; i < n && c->seen_len < sizeof c->seen - 1; i++)
    c->seen[c->seen_len++] = buf->base[i];
  c->seen[c->seen_len] = 0;
  if (!c->said_up && strncmp(c->seen, "up\n", 3) == 0) {
    c->said_up = 1;
    tell(c, "up", 0, 0);
  }
}

/* Owners killed outright (exit(ctl, "kill")) cannot close their pipe. */
static void on_watch(uv_timer_t *t) {
  peer_host *host = t->data;
  for (peer_child *c = host->children; c; c = c->next)
    if (c->in_fd >= 0 && !otp_proc_get(host->node, c->owner)) close_input(c);
}

static peer_child *find_child(peer_host *host, uint64_t ref) {
  for (peer_child *c = host->children; c; c = c->next)
    if (c->ref == ref && !c->exited) return c;
  return NULL;
}

/* The peer's node name for its short name: name@host of this node. */
static void peer_node_name(const otp_node *node, const char *name, char *buf, size_t len) {
  const char *at = strchr(otp_dist_ops_name(node->dist_ops), '@');
  snprintf(buf, len, "%s%s", name, at ? at : "");
}

/* peer_core.spawn(name, args, ref) -> node name | nil, why. The caller (the
** control process) is told of "up" and "exit". */
static int l_spawn(lua_State *L) {
  otp_node *node = otp_node_of(L);
  peer_host *host = host_of(L);
  const char *name = luaL_checkstring(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  uint64_t ref = otp_to_ref(L, 3);
  otp_proc *self = otp_self(L);
  if (!host || !node->dist_ops || !ref)
    return otp_raise(L, "notalive: otp.peer needs this node to be distributed");
  otp_intern_ref(L, 3);            /* the messages bring it back: the same value */
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    lua_pushnil(L);
    lua_pushfstring(L, "cannot find the otplab executable: %s", strerror(errno));
    return 2;
  }
  exe[n] = 0;
  char full[300], ticks[16];
  peer_node_name(node, name, full, sizeof full);
  const char *argv[PEER_MAX_ARGS + 16];
  int argc = 0;
  argv[argc++] = exe;
  argv[argc++] = "run";
  argv[argc++] = host->longnames ? "--name" : "--sname";
  argv[argc++] = host->longnames ? full : name;
  if (host->have_cookie) {
    argv[argc++] = "--cookie";
    argv[argc++] = host->cookie;
  }
  if (host->ticktime_s) {
    snprintf(ticks, sizeof ticks, "%u", host->ticktime_s);
    argv[argc++] = "--net-ticktime";
    argv[argc++] = ticks;
  }
  lua_Integer nargs = (lua_Integer)lua_rawlen(L, 2);
  if (nargs > PEER_MAX_ARGS) return otp_raise(L, "badarg: otp.peer takes at most %d args", PEER_MAX_ARGS);
  for (lua_Integer i = 1; i <= nargs; i++) {
    lua_rawgeti(L, 2, i);
    if (lua_type(L, -1) != LUA_TSTRING)
      return otp_raise(L, "badarg: otp.peer's args are strings (options of otplab run), "
                       "args[%d] is %s", (int)i, luaL_typename(L, -1));
    argv[argc++] = lua_tostring(L, -1);     /* kept alive by the table */
    lua_pop(L, 1);
  }
  argv[argc++] = PEER_BOOT;
  argv[argc++] = otp_dist_ops_name(node->dist_ops);
  argv[argc] = NULL;

  int in[2], ctl[2];
  if (pipe2(in, O_CLOEXEC) != 0) goto failed;
  if (pipe2(ctl, O_CLOEXEC) != 0) {
    close(in[0]);
    close(in[1]);
    goto failed;
  }
  peer_child *c = calloc(1, sizeof *c);
  if (!c) {
    close(in[0]), close(in[1]), close(ctl[0]), close(ctl[1]);
    return otp_raise(L, "limit: out of memory starting a peer");
  }
  c->host = host;
  c->owner = self->pid;
  c->ref = ref;
  c->in_fd = in[1];
  snprintf(c->name, sizeof c->name, "%s", full);
  uv_stdio_container_t stdio[4] = {
      {.flags = UV_INHERIT_FD, .data.fd = in[0]},
      {.flags = UV_INHERIT_FD, .data.fd = STDOUT_FILENO},
      {.flags = UV_INHERIT_FD, .data.fd = STDERR_FILENO},
      {.flags = UV_INHERIT_FD, .data.fd = ctl[1]}};
  uv_process_options_t opts = {.exit_cb = on_child_exit, .file = exe, .args = (char **)argv,
                               .stdio_count = 4, .stdio = stdio};
  c->proc.data = c;
  fflush(stdout);
  fflush(stderr);
  int r = uv_spawn(&node->loop, &c->proc, &opts);
  close(in[0]);
  close(ctl[1]);
  if (r != 0) {
    close(in[1]);
    close(ctl[0]);
    c->open_handles = 1;  /* a failed uv_spawn still needs its handle closed */
    uv_close((uv_handle_t *)&c->proc, child_closed);
    lua_pushnil(L);
    lua_pushfstring(L, "cannot start %s: %s", exe, uv_strerror(r));
    return 2;
  }
  uv_pipe_init(&node->loop, &c->ctl, 0);
  c->ctl.data = c;
  uv_pipe_open(&c->ctl, ctl[0]);
  uv_read_start((uv_stream_t *)&c->ctl, on_alloc, on_ctl_read);
  c->open_handles = 2;
  c->next = host->children;
  host->children = c;
  node->outside_holds++;
  uv_timer_start(&host->watch, on_watch, WATCH_MS, WATCH_MS);
  lua_pushstring(L, full);
  return 1;

failed:
  lua_pushnil(L);
  lua_pushfstring(L, "cannot make the peer's pipes: %s", strerror(errno));
  return 2;
}

/* peer_core.close(ref): closes the peer's stdin (it halts); kill: SIGKILL. */
static int l_close(lua_State *L) {
  peer_host *host = host_of(L);
  peer_child *c = host ? find_child(host, otp_to_ref(L, 1)) : NULL;
  if (c && lua_toboolean(L, 2)) uv_process_kill(&c->proc, SIGKILL);
  else if (c) close_input(c);
  lua_pushboolean(L, c != NULL);
  return 1;
}

/* peer_core.control_of(node | pid) -> the control process of that running
** peer (given its node name, or the control process itself), or nothing */
static int l_control_of(lua_State *L) {
  peer_host *host = host_of(L);
  const char *name = lua_type(L, 1) == LUA_TSTRING ? lua_tostring(L, 1) : NULL;
  otp_pid pid = name ? OTP_PID_NONE : otp_to_pid(L, 1);
  for (peer_child *c = host ? host->children : NULL; c; c = c->next)
    if (!c->exited && (name ? strcmp(c->name, name) == 0 : c->owner == pid)) {
      otp_push_pid(L, c->owner);
      return 1;
    }
  return 0;
}

/* peer_core.unique() -> "N-TAG": N counts this node's names, TAG is this OS
** process's id, or under --seed the seed and the folder (reproducible, and
** still apart from another checkout's runs). */
static int l_unique(lua_State *L) {
  otp_node *node = otp_node_of(L);
  peer_host *host = host_of(L);
  if (!host) return 0;
  char cwd[PATH_MAX] = "";
  uint64_t tag = (uint64_t)getpid();
  if (node->cfg.seeded) {
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
    tag = 1469598103934665603ull ^ node->cfg.seed;
    for (const char *s = cwd; *s; s++) tag = (tag ^ (unsigned char)*s) * 1099511628211ull;
    tag %= 1000000007u;
  }
  lua_pushfstring(L, "%d-%d", (int)++host->counter, (int)tag);
  return 1;
}

/* peer_core.start_dist(name) -> true | nil, why: otp.net_kernel.start. */
static int l_start_dist(lua_State *L) {
  otp_node *node = otp_node_of(L);
  peer_host *host = host_of(L);
  const char *name = luaL_checkstring(L, 1);
  int longnames = lua_toboolean(L, 2);
  if (!host) return 0;
  if (node->dist_ops) {
    lua_pushnil(L);
    lua_pushliteral(L, "already_started");
    return 2;
  }
#ifdef OTP_HAVE_DIST
  char err[512];
  if (otp_dist_start(node, name, longnames, host->have_cookie ? host->cookie : NULL,
                     host->ticktime_s, err, sizeof err) != 0) {
    lua_pushnil(L);
    lua_pushstring(L, err);
    return 2;
  }
  host->longnames = longnames;
  lua_pushboolean(L, 1);
  return 1;
#else
  (void)longnames;
  lua_pushnil(L);
  lua_pushliteral(L, "limit: this otplab was built without distribution (install erlang-dev "
                     "and rebuild)");
  return 2;
#endif
}

static const luaL_Reg peer_funcs[] = {{"spawn", l_spawn},       {"close", l_close},
                                      {"control_of", l_control_of}, {"unique", l_unique},
                                      {"start_dist", l_start_dist}, {NULL, NULL}};

void cli_peer_attach(otp_node *node, const cli_dist_options *dist) {
  peer_host *host = calloc(1, sizeof *host);
  if (!host) return;
  host->node = node;
  if (dist) {
    if (dist->cookie) {
      snprintf(host->cookie, sizeof host->cookie, "%s", dist->cookie);
      host->have_cookie = 1;
    }
    host->longnames = dist->longnames;
    host->ticktime_s = dist->ticktime_s;
  }
  uv_timer_init(&node->loop, &host->watch);
  host->watch.data = host;
  uv_unref((uv_handle_t *)&host->watch);
  lua_State *L = node->L;
  lua_pushlightuserdata(L, host);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &host_key);
  lua_getfield(L, LUA_REGISTRYINDEX, OTP_ENV_INTERNAL);
  if (lua_istable(L, -1)) {
    luaL_newlib(L, peer_funcs);
    lua_setfield(L, -2, "peer_core");
  }
  lua_pop(L, 1);
}

static void watch_closed(uv_handle_t *h) { free(h->data); }

static void on_grace(uv_timer_t *t) { *(int *)t->data = 1; }

/* The node ends: every peer's stdin closes; those still running after
** STOP_GRACE_MS are killed. Returns when every child is reaped. */
void cli_peer_detach(otp_node *node) {
  lua_State *L = node->L;
  peer_host *host = host_of(L);
  if (!host) return;
  lua_pushnil(L);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &host_key);
  uv_timer_stop(&host->watch);
  if (host->children) {
    for (peer_child *c = host->children; c; c = c->next) close_input(c);
    int over = 0;
    uv_timer_t grace;
    uv_timer_init(&node->loop, &grace);
    grace.data = &over;
    uv_timer_start(&grace, on_grace, STOP_GRACE_MS, 0);
    while (host->children && !over) uv_run(&node->loop, UV_RUN_ONCE);
    for (peer_child *c = host->children; c; c = c->next)
      if (!c->exited) uv_process_kill(&c->proc, SIGKILL);
    while (host->children) uv_run(&node->loop, UV_RUN_ONCE);
    uv_close((uv_handle_t *)&grace, NULL);
    uv_run(&node->loop, UV_RUN_NOWAIT);
  }
  host->watch.data = host;
  uv_close((uv_handle_t *)&host->watch, watch_closed);
  uv_run(&node->loop, UV_RUN_NOWAIT);
}
