/*
** The otplab command: one function per subcommand.
*/
#ifndef OTP_CLI_H
#define OTP_CLI_H

#include <stdio.h>
#include "core/node.h"
#include "net/net.h"

/* Exit statuses */
#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2

/* Options shared by run and test; parsed from argv[*i], advancing *i.
** Returns 1 if argv[*i] was an option, 0 if not, -1 on a bad option (reported). */
int cli_node_option(otp_node_config *cfg, int argc, char **argv, int *i);

int cli_run(int argc, char **argv);
int cli_explore(int argc, char **argv);
int cli_test(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_console(int argc, char **argv);
int cli_help(int argc, char **argv);
int cli_lessons(int argc, char **argv);   /* lesson.c */
int cli_lesson(int argc, char **argv);
void cli_usage(FILE *out);
/* Writes the help of one command; -1 if there is no such command. */
int cli_help_to(FILE *out, const char *cmd);

/* The node's Erlang name (--sname, --cookie of run); sname NULL: not distributed */
typedef struct cli_dist_options {
  const char *sname, *cookie;  /* sname: --sname NAME, or --name NAME@HOST if longnames */
  int longnames;
  unsigned ticktime_s;   /* --net-ticktime (0: Erlang's 60) */
} cli_dist_options;

/* --sname NAME, --name NAME@HOST, --cookie C, --net-ticktime S: 1 if argv[*i]
** was one, 0 if not, -1 if bad (reported). */
int cli_dist_option(cli_dist_options *dist, int argc, char **argv, int *i);
/* Makes node an Erlang node if dist names it; 0, or -1 (reported). */
int cli_start_dist(otp_node *node, const cli_dist_options *dist);
void cli_stop_dist(otp_node *node);
/* The same as the console's start and stop hooks (arg: the cli_dist_options). */
int cli_console_start_dist(otp_node *node, void *dist);
void cli_console_stop_dist(otp_node *node, void *dist);
/* peer.c: otp.peer's child nodes and otp.net_kernel.start on node (called by
** cli_start_dist, whether the node has a name or not); detach stops every
** peer (closing its stdin, killing it after a grace time) and waits for it. */
void cli_peer_attach(otp_node *node, const cli_dist_options *dist);
void cli_peer_detach(otp_node *node);

/* --port N, --bind ADDRESS, --token T of serve and console --web (cmd names
** the command in messages): 1 if argv[*i] was one, 0 if not, -1 if bad
** (reported); *port_given is set by --port. */
int cli_net_option(otp_net_config *ncfg, const char *cmd, int argc, char **argv, int *i,
                   int *port_given);
/* A bind beyond loopback needs a token: generates one into buf (>= 40
** bytes) if none was given. 0, or -1 (reported). */
int cli_net_token(otp_net_config *ncfg, const char *cmd, char *buf, size_t len);
/* Prints the URL (and the token, if any) of the server as cmd says it. */
void cli_net_announce(const otp_net_config *ncfg, otp_net *net, const char *cmd, const char *what);

/* Runs path as the first process of a fresh node (distributed if dist names
** it); prints why it failed. Returns CLI_OK, CLI_FAILED or CLI_USAGE. */
int cli_run_file(const otp_node_config *cfg, const cli_dist_options *dist, const char *path,
                 int argc, char **argv);

/* child.c: runs body(arg) in a child process with its stdout and stderr in
** out, killed after timeout_s seconds. Returns 1 if it was killed for that;
** *status is waitpid's. */
int cli_child_run(void (*body)(void *), void *arg, FILE *out, int timeout_s, int *status);
/* Copies out to stdout, each line after indent. */
void cli_child_show_output(FILE *out, const char *indent);

#endif
