/*
** The console's driver: the node, the native functions the shell uses
** (otp_internal.console_native, for lua/otp/console.lua), line delivery, and the signals
** (Ctrl-C interrupts the shell's evaluation; SIGTERM and SIGHUP end the node).
*/
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "console/console.h"
#include "core/anchor.h"
#include "core/env.h"
#include "core/format.h"
#include "core/mailbox.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/term.h"
#include "lua/lotp.h"

#define CONSOLE_START OTP_LUA_DIR "/otp/console/start.lua"

static otp_console *console_of(lua_State *L) {
  return lua_touserdata(L, lua_upvalueindex(1));
}

void otp_console_deliver(otp_console *c, const char *kind, const char *text, size_t len) {
  otp_node *node = c->node;
  otp_proc *p = otp_proc_get(node, c->shell);
  c->want = CONSOLE_IDLE;
  if (!p) return;
  lua_State *L = node->L;
  otp_charge_state cs = otp_charge_receiver(node, p);
  lua_createtable(L, 3, 0);
  lua_pushliteral(L, "$console");
  lua_rawseti(L, -2, 1);
  lua_pushstring(L, kind);
  lua_rawseti(L, -2, 2);
  if (text) {
    lua_pushlstring(L, text, len);
    lua_rawseti(L, -2, 3);
  }
  otp_charge_restore(node, cs);
  otp_mailbox_put(node, L, p, OTP_PID_NONE);
}

/* native.attach() -> globals, fresh: the calling process becomes the shell
** and takes the console's globals (the first shell's own become them). */
static int l_attach(lua_State *L) {
  otp_console *c = console_of(L);
  otp_proc *p = otp_self(L);
  int fresh = c->globals_ref == LUA_NOREF;
  if (fresh) {
    otp_proc_push_env(L, p);
    c->globals_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  } else {
    otp_unanchor(L, p->env_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->globals_ref);
    p->env_ref = otp_anchor(L);
  }
  c->shell = p->pid;
  c->interruptible = 0;          /* a lesson's shell that died mid-evaluation */
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->globals_ref);
  lua_pushboolean(L, fresh);
  return 2;
}

/* native.read("first" | "more"[, prompt]): the shell waits for a line (or a
** continuation); on a terminal the prompt is "> ", ".. " or the one given
** (a lesson's pause shows "lesson> "). */
static int l_read(lua_State *L) {
  otp_console *c = console_of(L);
  static const char *const kinds[] = {"first", "more", NULL};
  int kind = luaL_checkoption(L, 1, "first", kinds);
  size_t len = 0;
  const char *prompt = luaL_optlstring(L, 2, kind ? ".. " : "> ", &len);
  if (len >= sizeof c->prompt)
    return otp_raise(L, "badarg: a prompt is at most %d bytes", (int)sizeof c->prompt - 1);
  if (otp_self(L)->pid != c->shell)
    return otp_raise(L, "badarg: only the console's shell reads its input");
  memcpy(c->prompt, prompt, len + 1);
  c->want = kind ? CONSOLE_WANT_MORE : CONSOLE_WANT_FIRST;
  if (c->tty) otp_terminal_prompt(c);
  else otp_lines_want(c);
  return 0;
}

/* native.interrupted() -> whether Ctrl-C killed the last shell (then forgets). */
static int l_interrupted(lua_State *L) {
  otp_console *c = console_of(L);
  lua_pushboolean(L, c->interrupted);
  c->interrupted = 0;
  return 1;
}

/* native.interruptible(on): while on (a lesson's pause evaluating what the
** learner typed), Ctrl-C raises OTP_CONSOLE_INTERRUPTED in the shell, which
** the pause catches, instead of killing it; a second Ctrl-C before the
** first is caught kills it as usual. Off withdraws an interrupt not yet
** raised. Only the shell may call it. Returns the value an interrupt raises. */
static int l_interruptible(lua_State *L) {
  otp_console *c = console_of(L);
  otp_proc *self = otp_self(L);
  if (self->pid != c->shell)
    return otp_raise(L, "badarg: only the console's shell takes Ctrl-C as an error");
  c->interruptible = lua_toboolean(L, 1);
  c->interrupt_sent = 0;
  if (!c->interruptible) otp_sched_uninterrupt(c->node, self);
  lua_pushliteral(L, OTP_CONSOLE_INTERRUPTED);
  return 1;
}

/* native.info() -> {tty=, color=, history_file=, is_shell=} (is_shell: the
** caller is the console's shell, the one process that may read input) */
static int l_info(lua_State *L) {
  otp_console *c = console_of(L);
  lua_createtable(L, 0, 4);
  otp_proc *self = otp_self(L);
  lua_pushboolean(L, self && self->pid == c->shell);
  lua_setfield(L, -2, "is_shell");
  lua_pushboolean(L, c->tty);
  lua_setfield(L, -2, "tty");
  lua_pushboolean(L, c->color);
  lua_setfield(L, -2, "color");
  lua_pushstring(L, c->tty ? c->history_path : "");
  lua_setfield(L, -2, "history_file");
  if (c->net) {
    lua_pushstring(L, c->web_url);
    lua_setfield(L, -2, "web");
  }
  return 1;
}

/* native.set_completer(fn): fn(globals, word) -> array of completions. */
static int l_set_completer(lua_State *L) {
  otp_console *c = console_of(L);
  luaL_checktype(L, 1, LUA_TFUNCTION);
  luaL_unref(L, LUA_REGISTRYINDEX, c->completer_ref);
  lua_settop(L, 1);
  c->completer_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

static void register_natives(otp_console *c) {
  static const luaL_Reg funcs[] = {
    {"attach", l_attach}, {"read", l_read}, {"interrupted", l_interrupted},
    {"interruptible", l_interruptible},
    {"info", l_info}, {"set_completer", l_set_completer}, {NULL, NULL}};
  lua_State *L = c->node->L;
  /* for the console's own Lua files only (otp_internal.console_native): any
  ** other process calling attach() would take over the shell's globals */
  luaL_getsubtable(L, LUA_REGISTRYINDEX, OTP_ENV_INTERNAL);
  lua_createtable(L, 0, 5);
  lua_pushlightuserdata(L, c);
  luaL_setfuncs(L, funcs, 1);
  lua_setfield(L, -2, "console_native");
  lua_pop(L, 1);
}

/* Ends the node as if the console's first process had exited normally. */
static void quit(otp_console *c) {
  otp_node *node = c->node;
  if (node->first_exit_ref == LUA_NOREF) {
    lua_pushliteral(node->L, "normal");
    node->first_exit_ref = luaL_ref(node->L, LUA_REGISTRYINDEX);
  }
  node->done = 1;
}

static void on_signal(uv_signal_t *h, int signum) {
  otp_console *c = h->data;
  if (signum == SIGWINCH) {
    otp_terminal_resize(c);
    return;
  }
  if (signum != SIGINT) {
    quit(c);
    return;
  }
  otp_proc *shell = otp_proc_get(c->node, c->shell);
  if (c->want != CONSOLE_IDLE || !shell) {     /* at the prompt */
    if (c->tty) otp_terminal_cancel_line(c);
    else quit(c);
    return;
  }
  lua_State *L = c->node->L;
  if (c->interruptible && !c->interrupt_sent) {   /* a lesson's pause: an error */
    c->interrupt_sent = 1;
    lua_pushliteral(L, OTP_CONSOLE_INTERRUPTED);
    otp_sched_interrupt(c->node, shell, L);
    return;
  }
  /* evaluating: kill the shell, as Erlang's shell kills its evaluator */
  c->interrupted = 1;
  lua_pushliteral(L, "kill");
  otp_signal_exit(c->node, L, OTP_PID_NONE, shell, -1, OTP_SIG_EXIT2);
  lua_pop(L, 1);
}

static void watch_signal(otp_console *c, uv_signal_t *h, int signum) {
  uv_signal_init(&c->node->loop, h);
  h->data = c;
  uv_signal_start(h, on_signal, signum);
  uv_unref((uv_handle_t *)h);   /* a signal handler does not keep the node alive */
}

/* --web: the server on the console's node, its URL printed before the first
** prompt; the API server process is started by the console's keeper. */
static int open_web(otp_console *c, const otp_console_web *web) {
  char err[256];
  otp_net_config ncfg = web->net;
  c->net = otp_net_open(c->node, &ncfg, err, sizeof err);
  if (!c->net && web->any_port_if_busy) {
    ncfg.port = 0;
    c->net = otp_net_open(c->node, &ncfg, err, sizeof err);
  }
  if (!c->net) {
    fprintf(stderr, "otplab console: %s\n", err);
    return -1;
  }
  otp_net_open_lua(c->net, c->node->L);
  snprintf(c->web_url, sizeof c->web_url, "http://%s:%d/", ncfg.bind, otp_net_port(c->net));
  printf("otplab console: the dashboard and REST API are at %s\n", c->web_url);
  if (ncfg.token)
    printf("otplab console: token %s (send 'Authorization: Bearer %s')\n", ncfg.token, ncfg.token);
  fflush(stdout);
  return 0;
}

int otp_console_main(const otp_node_config *cfg, const char *file, const otp_console_web *web,
                     const otp_console_hooks *hooks) {
  char err[256];
  otp_node *node = otp_node_new(cfg, err, sizeof err);
  if (!node) {
    fprintf(stderr, "otplab: %s\n", err);
    return 1;
  }
  if (hooks && hooks->start && hooks->start(node, hooks->arg) != 0) {
    otp_node_free(node);
    return 1;
  }
  otp_console *c = calloc(1, sizeof *c);
  if (!c) abort();
  c->node = node;
  c->globals_ref = c->completer_ref = c->completions_ref = LUA_NOREF;
  memcpy(c->prompt, "> ", 3);
  c->tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
  const char *no_color = getenv("NO_COLOR");
  c->color = c->tty && !(no_color && *no_color);
  register_natives(c);
  if ((web && open_web(c, web) != 0) ||
      (c->tty ? otp_terminal_open(c) : otp_lines_open(c)) != 0) {
    otp_net_close(c->net);
    if (hooks && hooks->stop) hooks->stop(node, hooks->arg);
    otp_node_free(node);
    otp_net_free(c->net);
    free(c);
    return 1;
  }
  watch_signal(c, &c->sigint, SIGINT);
  /* On a terminal someone can always press Ctrl-C: a shell waiting for a
  ** message nothing will send is not a deadlock there, it waits to be
  ** interrupted (read from a pipe, it is reported as one). */
  if (c->tty) uv_ref((uv_handle_t *)&c->sigint);
  watch_signal(c, &c->sigterm, SIGTERM);
  watch_signal(c, &c->sighup, SIGHUP);
  watch_signal(c, &c->sigwinch, SIGWINCH);
  char *args[] = {(char *)file, NULL};
  int status = 1;
  if (otp_node_start_file(node, CONSOLE_START, file ? 1 : 0, args) != 0)
    fprintf(stderr, "otplab: %s\n", lua_tostring(node->L, -1));
  else
    status = otp_node_run(node);
  if (status != 0 && node->first_exit_ref != LUA_NOREF) {
    lua_rawgeti(node->L, LUA_REGISTRYINDEX, node->first_exit_ref);
    otp_format_reason(node->L, -1);
    fprintf(stderr, "otplab console: the console stopped: %s\n", lua_tostring(node->L, -1));
    lua_pop(node->L, 2);
  }
  if (c->tty) otp_terminal_close(c);
  else otp_lines_close(c);
  uv_signal_t *sigs[] = {&c->sigint, &c->sigterm, &c->sighup, &c->sigwinch};
  for (int i = 0; i < 4; i++) uv_close((uv_handle_t *)sigs[i], NULL);
  fflush(stdout);
  otp_net_close(c->net);
  if (hooks && hooks->stop) hooks->stop(node, hooks->arg);
  otp_node_free(node);
  otp_net_free(c->net);
  free(c);
  return status;
}
