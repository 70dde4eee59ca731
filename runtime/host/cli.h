/*
** The otplab command: one function per subcommand.
*/
#ifndef OTP_CLI_H
#define OTP_CLI_H

#include <stdio.h>
#include "core/node.h"

/* Exit statuses */
#define CLI_OK 0
#define CLI_FAILED 1
#define CLI_USAGE 2

/* Options shared by run and test; parsed from argv[*i], advancing *i.
** Returns 1 if argv[*i] was an option, 0 if not, -1 on a bad option (reported). */
int cli_node_option(otp_node_config *cfg, int argc, char **argv, int *i);

int cli_run(int argc, char **argv);
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

/* Runs path as the first process of a fresh node (distributed if dist names
** it); prints why it failed. Returns CLI_OK, CLI_FAILED or CLI_USAGE. */
int cli_run_file(const otp_node_config *cfg, const cli_dist_options *dist, const char *path,
                 int argc, char **argv);

#endif
