/*
** otplab console [FILE]: a Lua shell that is itself a process of the running
** node (API.md section 8).
**
** The node's first process is the console's keeper (lua/otp/console.lua),
** which traps exits and runs the shell as a linked process, restarting it
** when it dies; the shell's globals live in a table the console keeps, so
** they survive.  The shell asks for a line with native.read() and waits in
** receive for {"$console", "line", text}, {"$console", "cancel"} or
** {"$console", "eof"}; the line comes from libedit on a terminal
** (terminal.c) or from stdin read line by line otherwise (lines.c).  Ctrl-C
** kills a shell that is evaluating (as Erlang's shell kills its evaluator
** on an interrupt) and the keeper starts a new one.
*/
#ifndef OTP_CONSOLE_H
#define OTP_CONSOLE_H

#include <pthread.h>
#include <stdio.h>
#include <lua.h>
#include <uv.h>
#include "core/node.h"
#include "net/net.h"

/* What the shell raises at Ctrl-C while interruptible (a lesson's pause). */
#define OTP_CONSOLE_INTERRUPTED "interrupted (Ctrl-C)"

/* `otplab console --web`: the REST API and the dashboard served by the
** console's own node (same loop) beside the shell. */
typedef struct otp_console_web {
  otp_net_config net;
  int any_port_if_busy;    /* no --port: another port when the default is taken */
} otp_console_web;

/* What the host adds to the console's node (distribution): start runs
** before the first process (nonzero: give up, it said why), stop before the
** node is freed. */
typedef struct otp_console_hooks {
  int (*start)(otp_node *node, void *arg);
  void (*stop)(otp_node *node, void *arg);
  void *arg;
} otp_console_hooks;

typedef enum { CONSOLE_IDLE, CONSOLE_WANT_FIRST, CONSOLE_WANT_MORE } console_want;

typedef struct otp_console {
  otp_node *node;
  int tty;                 /* stdin and stdout are a terminal: libedit */
  int color;               /* values printed in colour (a terminal, no NO_COLOR) */
  otp_pid shell;           /* the shell process, set when it attaches */
  int globals_ref;         /* the shell's globals, kept across restarts */
  int completer_ref;       /* Lua function(globals, word) -> candidates */
  int completions_ref;     /* the candidates libedit is asking for, one by one */
  console_want want;       /* what the shell waits for */
  char prompt[24];         /* the prompt it asked for ("> ", ".. ", "lesson> ") */
  int interrupted;         /* Ctrl-C killed the shell (for the keeper's note) */
  int interruptible;       /* the shell catches Ctrl-C as an error (a lesson's pause) */
  int interrupt_sent;      /* ...and one was sent: the next Ctrl-C kills */
  uv_signal_t sigint, sigterm, sighup, sigwinch;
  otp_net *net;            /* --web: the server, or NULL */
  char web_url[128];

  /* terminal mode (terminal.c) */
  FILE *screen;            /* the terminal, for libedit and captured output */
  int saved_out, saved_err;          /* the original stdout and stderr */
  int capture[2];                    /* pipe that stdout and stderr now write to */
  pthread_t drainer;
  pthread_mutex_t out_lock;
  char *out_buf;
  size_t out_len, out_cap;
  uv_async_t out_ready;
  uv_poll_t keys;
  int polling, prompt_shown, at_line_start;
  char history_path[4096];

  /* line mode (lines.c) */
  uv_pipe_t in_pipe;
  uv_fs_t in_req;
  int in_is_pipe, in_reading, in_eof;
  char *in_buf;
  size_t in_len, in_cap;
  char in_chunk[65536];
} otp_console;

/* otplab console: runs the console over a new node; FILE (or NULL) is run
** in the shell first; web (or NULL) serves the REST API beside it; hooks
** (or NULL) add to the node. Returns the process exit status. */
int otp_console_main(const otp_node_config *cfg, const char *file, const otp_console_web *web,
                     const otp_console_hooks *hooks);

/* Delivers {"$console", kind[, text]} to the shell. */
void otp_console_deliver(otp_console *c, const char *kind, const char *text, size_t len);

/* terminal.c */
int otp_terminal_open(otp_console *c);
void otp_terminal_close(otp_console *c);
void otp_terminal_prompt(otp_console *c);      /* shows the prompt c->want asks for */
void otp_terminal_cancel_line(otp_console *c); /* Ctrl-C at the prompt */
void otp_terminal_resize(otp_console *c);

/* lines.c */
int otp_lines_open(otp_console *c);
void otp_lines_close(otp_console *c);
void otp_lines_want(otp_console *c);           /* delivers the next line when there is one */

#endif
