/*
** otplab help [COMMAND]
*/
#include <stdio.h>
#include <string.h>
#include "host/cli.h"

void cli_usage(FILE *out) {
  fputs("usage: otplab <command> [options] [arguments]\n"
        "\n"
        "commands:\n"
        "  run FILE [ARGS...]   run FILE as the first process; exit when it exits\n"
        "  test [PATH...]       run every *.lua under each PATH as a scenario\n"
        "  version              print the version\n"
        "  help [COMMAND]       show help for a command\n",
        out);
}

static const char run_help[] =
    "usage: otplab run [options] FILE [ARGS...]\n"
    "\n"
    "Runs FILE as the first process: it has a pid and a mailbox, can trap exits\n"
    "and is the parent of what it links to. `arg` holds ARGS, and so does `...`.\n"
    "`require` also looks in FILE's own folder.\n"
    "When it exits, every other process is stopped and otplab exits:\n"
    "  0  the first process exited normally\n"
    "  1  it crashed or exited with another reason (printed on stderr)\n"
    "  2  usage error (unknown option, missing file)\n"
    "\n"
    "options:\n"
    "  --reductions N     deterministic scheduling: preempt every N VM instructions\n"
    "                     (slower, but the interleaving is the same every run)\n"
    "  --log-level LEVEL  none, error (default), warning, info or debug\n"
    "  --max-memory MB    memory for the whole node (default 2048); the process\n"
    "                     that allocates beyond it is killed\n"
    "  --max-heap MB      default max_heap of every process (default: none)\n"
    "  --trace-ring N     keep the newest N events of the run (default 1000, 0: off);\n"
    "                     a failed expectation shows the trace leading to it\n"
    "  --sname NAME       (run only) be the Erlang node NAME@HOST: registers with\n"
    "                     epmd (started if none runs) and talks to Erlang nodes\n"
    "  --cookie C         (run only) the distribution cookie (default ~/.erlang.cookie)\n";

static const char test_help[] =
    "usage: otplab test [options] [PATH...]\n"
    "\n"
    "Runs every *.lua file under each PATH (default: scenarios/ tests/lua/) as an\n"
    "isolated scenario with a node of its own (files whose name starts with _\n"
    "are helpers the scenarios load, not scenarios). A scenario passes when its first\n"
    "process exits normally. Prints one line per file and ends with\n"
    "'N passed, N failed'; exits 1 if any failed. With no PATH and neither default\n"
    "folder here, it says so and exits 2.\n"
    "\n"
    "options:\n"
    "  --filter TEXT      run only files whose path contains TEXT\n"
    "  --timeout SECONDS  fail a scenario that runs longer (default 60)\n"
    "  --verbose          show each scenario's output even when it passes\n"
    "  and the options of 'otplab run'\n";

int cli_help_to(FILE *out, const char *cmd) {
  if (strcmp(cmd, "run") == 0) fputs(run_help, out);
  else if (strcmp(cmd, "test") == 0) fputs(test_help, out);
  else if (strcmp(cmd, "version") == 0) fputs("usage: otplab version\n", out);
  else if (strcmp(cmd, "help") == 0) fputs("usage: otplab help [COMMAND]\n", out);
  else return -1;
  return 0;
}

int cli_help(int argc, char **argv) {
  if (argc == 0) {
    cli_usage(stdout);
    puts("\nRun 'otplab help COMMAND' for a command's options.");
    return CLI_OK;
  }
  if (cli_help_to(stdout, argv[0]) != 0) {
    fprintf(stderr, "otplab: no help for unknown command '%s'\n", argv[0]);
    cli_usage(stderr);
    return CLI_USAGE;
  }
  return CLI_OK;
}
