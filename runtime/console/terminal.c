/*
** The console on a terminal: libedit's readline-compatible callback API
** driven by a uv_poll on stdin, so the node keeps running while you type.
**
** Everything the node prints (print, reports on stderr, C's own stdio) goes
** through a pipe that replaces stdout and stderr; a thread drains it and the
** loop writes it to the terminal above the prompt, then redraws the prompt.
** The terminal's modes and stdin's flags are saved at start and restored at
** exit, at os.exit() (atexit) and from the crash signal handlers.
*/
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include <editline/readline.h>
#include <lauxlib.h>
#include "console/console.h"

/* What a crash must put back. Signal handlers and atexit get no context, so
** this one record is static (as sched.c's watched_node is); it is written
** once before the handlers are installed. */
static struct {
  int saved;
  struct termios modes;
  int in_flags, out_flags;
  int out_fd, err_fd;     /* the original stdout and stderr */
} restore_to;

static const int crash_signals[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
static struct sigaction previous[sizeof crash_signals / sizeof *crash_signals];

/* Async-signal-safe: only tcsetattr, fcntl and dup2. */
static void restore_terminal(void) {
  if (!restore_to.saved) return;
  tcsetattr(STDIN_FILENO, TCSANOW, &restore_to.modes);
  fcntl(STDIN_FILENO, F_SETFL, restore_to.in_flags);
  dup2(restore_to.out_fd, STDOUT_FILENO);
  dup2(restore_to.err_fd, STDERR_FILENO);
  fcntl(STDOUT_FILENO, F_SETFL, restore_to.out_flags);
}

static void on_crash(int sig) {
  restore_terminal();
  for (size_t i = 0; i < sizeof crash_signals / sizeof *crash_signals; i++)
    if (crash_signals[i] == sig) sigaction(sig, &previous[i], NULL);
  raise(sig);
}

static void save_terminal(otp_console *c) {
  tcgetattr(STDIN_FILENO, &restore_to.modes);
  restore_to.in_flags = fcntl(STDIN_FILENO, F_GETFL);
  restore_to.out_flags = fcntl(STDOUT_FILENO, F_GETFL);
  restore_to.out_fd = c->saved_out;
  restore_to.err_fd = c->saved_err;
  restore_to.saved = 1;
  atexit(restore_terminal);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_crash;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof crash_signals / sizeof *crash_signals; i++)
    sigaction(crash_signals[i], &sa, &previous[i]);
}

/* ---- output: the node's stdout and stderr, shown above the prompt ---- */

static void *drain(void *arg) {
  otp_console *c = arg;
  char chunk[4096];
  for (;;) {
    ssize_t n = read(c->capture[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    pthread_mutex_lock(&c->out_lock);
    if (c->out_len + (size_t)n > c->out_cap) {
      size_t cap = c->out_cap ? c->out_cap : 8192;
      while (cap < c->out_len + (size_t)n) cap *= 2;
      char *buf = realloc(c->out_buf, cap);
      if (!buf) abort();
      c->out_buf = buf;
      c->out_cap = cap;
    }
    memcpy(c->out_buf + c->out_len, chunk, (size_t)n);
    c->out_len += (size_t)n;
    pthread_mutex_unlock(&c->out_lock);
    uv_async_send(&c->out_ready);
  }
  return NULL;
}

static void show(otp_console *c, const char *text, size_t n) {
  if (n == 0) return;
  if (c->prompt_shown && c->at_line_start) fputs("\r\033[K", c->screen);
  fwrite(text, 1, n, c->screen);
  c->at_line_start = text[n - 1] == '\n';
  if (c->prompt_shown) {
    if (!c->at_line_start) fputc('\n', c->screen);
    c->at_line_start = 1;
    rl_forced_update_display();
  }
  fflush(c->screen);
}

static void show_pending(otp_console *c) {
  pthread_mutex_lock(&c->out_lock);
  char *buf = c->out_buf;
  size_t n = c->out_len;
  c->out_buf = NULL;
  c->out_len = c->out_cap = 0;
  pthread_mutex_unlock(&c->out_lock);
  show(c, buf, n);
  free(buf);
}

static void on_output(uv_async_t *h) { show_pending(h->data); }

static int capture_output(otp_console *c) {
  fflush(stdout);
  fflush(stderr);
  if ((c->saved_out = dup(STDOUT_FILENO)) < 0 || (c->saved_err = dup(STDERR_FILENO)) < 0 ||
      pipe(c->capture) != 0) {
    fprintf(stderr, "otplab console: cannot set up the terminal: %s\n", strerror(errno));
    return -1;
  }
  int screen_fd = dup(c->saved_out);
  fcntl(screen_fd, F_SETFD, FD_CLOEXEC);
  fcntl(c->capture[0], F_SETFD, FD_CLOEXEC);
  c->screen = fdopen(screen_fd, "w");
  dup2(c->capture[1], STDOUT_FILENO);
  dup2(c->capture[1], STDERR_FILENO);
  close(c->capture[1]);
  setvbuf(stdout, NULL, _IOLBF, 0);
  pthread_mutex_init(&c->out_lock, NULL);
  uv_async_init(&c->node->loop, &c->out_ready, on_output);
  c->out_ready.data = c;
  uv_unref((uv_handle_t *)&c->out_ready);
  c->at_line_start = 1;
  pthread_create(&c->drainer, NULL, drain, c);
  return 0;
}

/* ---- input: libedit ---- */

static otp_console *editing;   /* libedit's callbacks take no context */

static void on_line(char *line) {
  otp_console *c = editing;
  rl_callback_handler_remove();
  uv_poll_stop(&c->keys);
  c->prompt_shown = 0;
  if (!line) {
    fputc('\n', c->screen);
    fflush(c->screen);
    otp_console_deliver(c, "eof", NULL, 0);
    return;
  }
  if (*line) {
    add_history(line);
    write_history(c->history_path);
  }
  otp_console_deliver(c, "line", line, strlen(line));
  free(line);
}

static void on_keys(uv_poll_t *h, int status, int events) {
  (void)h;
  (void)events;
  if (status < 0) {
    on_line(NULL);
    return;
  }
  rl_callback_read_char();
}

void otp_terminal_prompt(otp_console *c) {
  editing = c;
  show_pending(c);
  uv_poll_start(&c->keys, UV_READABLE, on_keys);
  rl_callback_handler_install(c->prompt, on_line);
  c->prompt_shown = 1;
  c->at_line_start = 1;
}

void otp_terminal_cancel_line(otp_console *c) {
  int more = c->want == CONSOLE_WANT_MORE;
  rl_callback_handler_remove();
  c->prompt_shown = 0;
  fputc('\n', c->screen);
  fflush(c->screen);
  if (more) {             /* the shell drops the unfinished chunk */
    uv_poll_stop(&c->keys);
    otp_console_deliver(c, "cancel", NULL, 0);
  } else {
    otp_terminal_prompt(c);
  }
}

void otp_terminal_resize(otp_console *c) {
  if (c->tty) rl_resize_terminal();
}

/* Completes the word with the shell's completer (lua/otp/console/complete.lua). */
static char *complete(const char *word, int state) {
  otp_console *c = editing;
  lua_State *L = c->node->L;
  if (state == 0) {
    luaL_unref(L, LUA_REGISTRYINDEX, c->completions_ref);
    c->completions_ref = LUA_NOREF;
    if (c->completer_ref == LUA_NOREF || c->globals_ref == LUA_NOREF) return NULL;
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->completer_ref);
    lua_rawgeti(L, LUA_REGISTRYINDEX, c->globals_ref);
    lua_pushstring(L, word);
    if (lua_pcall(L, 2, 1, 0) != LUA_OK || !lua_istable(L, -1)) {
      lua_pop(L, 1);
      return NULL;
    }
    c->completions_ref = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  if (c->completions_ref == LUA_NOREF) return NULL;
  lua_rawgeti(L, LUA_REGISTRYINDEX, c->completions_ref);
  lua_rawgeti(L, -1, state + 1);
  const char *s = lua_tostring(L, -1);
  char *out = s ? strdup(s) : NULL;
  lua_pop(L, 2);
  return out;
}

static void history_file(otp_console *c) {
  const char *state = getenv("XDG_STATE_HOME");
  const char *home = getenv("HOME");
  char dir[4000];
  if (state && *state) snprintf(dir, sizeof dir, "%s/otplab", state);
  else snprintf(dir, sizeof dir, "%s/.local/state/otplab", home ? home : ".");
  for (char *s = dir + 1; *s; s++) {     /* mkdir -p */
    if (*s != '/') continue;
    *s = '\0';
    mkdir(dir, 0700);
    *s = '/';
  }
  mkdir(dir, 0700);
  snprintf(c->history_path, sizeof c->history_path, "%s/history", dir);
}

int otp_terminal_open(otp_console *c) {
  if (capture_output(c) != 0) return -1;
  save_terminal(c);
  setlocale(LC_CTYPE, "");
  rl_catch_signals = 0;     /* before any libedit call: libuv owns SIGINT */
  rl_catch_sigwinch = 0;
  rl_instream = stdin;
  rl_outstream = c->screen;
  rl_completion_entry_function = complete;
  rl_completion_append_character = '\0';
  rl_basic_word_break_characters = " \t\n\"\\'`@$><=;|&{(,+-*/%^#~[]";
  editing = c;
  history_file(c);
  stifle_history(1000);
  read_history(c->history_path);
  if (uv_poll_init(&c->node->loop, &c->keys, STDIN_FILENO) != 0) {
    fprintf(stderr, "otplab console: cannot watch the terminal for input\n");
    return -1;
  }
  c->keys.data = c;
  return 0;
}

void otp_terminal_close(otp_console *c) {
  if (c->prompt_shown) rl_callback_handler_remove();
  c->prompt_shown = 0;
  uv_poll_stop(&c->keys);
  uv_close((uv_handle_t *)&c->keys, NULL);
  fflush(stdout);
  fflush(stderr);
  dup2(c->saved_out, STDOUT_FILENO);     /* the pipe's last writers: the drainer ends */
  dup2(c->saved_err, STDERR_FILENO);
  pthread_join(c->drainer, NULL);
  show_pending(c);
  uv_close((uv_handle_t *)&c->out_ready, NULL);
  close(c->capture[0]);
  fclose(c->screen);
  restore_terminal();
  restore_to.saved = 0;
  close(c->saved_out);
  close(c->saved_err);
  setvbuf(stdout, NULL, _IOLBF, 0);
}
