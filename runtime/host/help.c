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
        "  explore FILE         run a scenario under many seeded schedules until one fails\n"
        "  console [FILE]       a Lua shell on a live node (FILE runs in it first)\n"
        "  serve [FILE]         the REST API and live events over FILE's processes (or the demo tree)\n"
        "  lessons              list the lessons of the course\n"
        "  lesson N             run lesson N (--interactive: pause between steps)\n"
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
    "  --virtual-time     the clock, timers, sleeps, receive timeouts and restart\n"
    "                     periods run on a virtual clock that jumps to the next\n"
    "                     deadline when every process waits: a 60 s wait takes no\n"
    "                     time; os.time and otp.system_time start at 2026-01-01\n"
    "  --seed N           seeds every choice otplab makes (math.random of each\n"
    "                     process, chaos, explore's schedules); with --reductions\n"
    "                     and --virtual-time two runs print the same output and\n"
    "                     record the same events (it turns address randomisation off)\n"
    "  --perturb          (what explore runs with) with --reductions, slices of a\n"
    "                     seeded random length and a seeded random choice among the\n"
    "                     runnable processes\n"
    "  --log-level LEVEL  none, error (default), warning, info or debug\n"
    "  --max-memory SIZE  memory for the whole node (default 2048MB or a quarter of\n"
    "                     the machine's memory, whichever is more; at least 1MB);\n"
    "                     the process that allocates beyond it is killed\n"
    "  --max-heap SIZE    default max_heap of every process (default: none, at\n"
    "                     least 8KB)\n"
    "  --trace-ring N     keep the newest N events of the run (default 1000, 0: off);\n"
    "                     a failed expectation shows the trace leading to it\n"
    "  --sname NAME       be the Erlang node NAME@HOST (run, serve, console):\n"
    "                     registers with epmd (started if none runs)\n"
    "  --name NAME@HOST   the same with a long name (erl -name)\n"
    "  --cookie C         the distribution cookie (default ~/.erlang.cookie)\n"
    "  --net-ticktime S   a connected node silent for S seconds is down\n"
    "                     (Erlang's net_ticktime, default 60)\n"
    "\n"
    "A SIZE is megabytes (\"64\") or a number with a unit: B, KB, MB, GB, TB or\n"
    "K, M, G, T (powers of 1024, any case: \"512KB\", \"16M\", \"2gb\"), at most\n"
    "16TB. In Lua, spawn_opt's max_heap and a sandbox's max_memory take bytes or\n"
    "the same strings.\n";

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
    "  --junit FILE       also write a JUnit XML report to FILE (for CI systems)\n"
    "  --verbose          show each scenario's output even when it passes\n"
    "  --seed N           the seed of every scenario (default: one drawn at random);\n"
    "                     a failure's line names it: --seed N replays the same seed\n"
    "  and the options of 'otplab run'\n";

static const char explore_help[] =
    "usage: otplab explore FILE [--runs N] [--seed S] [options]\n"
    "\n"
    "Hunts for the interleaving that breaks a scenario: runs FILE N times (default\n"
    "200), each in a fresh otplab with virtual time and a schedule perturbed by its\n"
    "seed (S, S+1, ...; default S: drawn at random): slices of a random length and\n"
    "a random choice among the runnable processes, so messages of different\n"
    "senders interleave differently; messages of one sender to one receiver are\n"
    "never reordered. It stops at the first run that fails (an expectation, a\n"
    "crash of the first process, a deadlock, a run still going after --timeout),\n"
    "prints 'failing seed: S', the failure report and the events leading up to it,\n"
    "and exits 1. 'otplab explore FILE --seed S --runs 1', from the same folder,\n"
    "replays that run exactly. If no run fails: 'N runs, no failure', exit 0.\n"
    "Progress goes to stderr (a line every 10 s; on a terminal, every second).\n"
    "\n"
    "options:\n"
    "  --runs N           how many runs (default 200)\n"
    "  --seed S           the first run's seed\n"
    "  --timeout SECONDS  a run still going after this long fails (default 60)\n"
    "  --reductions N     slices last 1 to 2N instructions (default 100)\n"
    "  and the other options of 'otplab run' (--max-memory, --max-heap, --trace-ring)\n";

static const char console_help[] =
    "usage: otplab console [options] [--web [--port N]] [FILE]\n"
    "\n"
    "A Lua shell that is a process of a running node: the node keeps running while\n"
    "you type. Values print with otp.inspect; an unfinished chunk continues at the\n"
    "'..' prompt; Tab completes globals, otp.* and table fields; history is kept in\n"
    "$XDG_STATE_HOME/otplab/history (default ~/.local/state/otplab/history).\n"
    "Ctrl-C stops the evaluation (not the node), Ctrl-D leaves. If the shell dies it\n"
    "is restarted with your globals. help() lists the helpers: demo(), tree(),\n"
    "kill(p), sups(), ps(), info(p), trace(p), history(sup), flush(), lessons().\n"
    "FILE runs in the shell before the first prompt. With stdin not a terminal the\n"
    "console reads and evaluates line by line, without prompts or colours:\n"
    "  echo 'demo(); tree()' | otplab console\n"
    "NO_COLOR set: no colours.\n"
    "\n"
    "options:\n"
    "  --web              also serve the REST API and the dashboard (as 'otplab serve'\n"
    "                     does) on this node, beside the shell; prints the URL\n"
    "  --port N           with --web: the port (default 4000, or any free one if\n"
    "                     4000 is taken)\n"
    "  --bind ADDRESS, --token T, --api-share F   with --web: as for 'otplab serve'\n"
    "  and those of 'otplab run' (--reductions, --seed, --sname, --cookie, --log-level,\n"
    "  --max-memory, --max-heap)\n";

static const char serve_help[] =
    "usage: otplab serve [options] [FILE]\n"
    "\n"
    "Runs FILE's processes (or, with no FILE, the demo tree) and serves the REST\n"
    "API of API.md section 10 under /api/v1/, live events on the WebSocket\n"
    "/api/v1/events?kinds=&pids=, and the dashboard at / (its pages /supervisors,\n"
    "/processes, /trace, /system, /sandboxes, /operations, /lessons, /cluster).\n"
    "Prints the URL; runs until SIGINT or SIGTERM.\n"
    "GET /api/v1/operations lists every operation, /api/v1/openapi.json describes them.\n"
    "\n"
    "options:\n"
    "  --port N           port to listen on (default 4000)\n"
    "  --bind ADDRESS     address to listen on (default 127.0.0.1); any other address\n"
    "                     needs a token (one is generated and printed if none is given)\n"
    "  --token T          require 'Authorization: Bearer T' on every request\n"
    "  --api-share F      while other processes want to run, the server's work takes\n"
    "                     at most this fraction of the node's thread (0 < F <= 1,\n"
    "                     default 0.15; 1: no limit); requests beyond it wait, and\n"
    "                     past 512 waiting one answers 503 with Retry-After. With the\n"
    "                     node otherwise idle the server takes all the time it wants\n"
    "  --sname NAME, --cookie C   be the Erlang node NAME@HOST (as 'otplab run');\n"
    "                     /api/v1/cluster/ then shows the connected nodes\n"
    "  --web-root DIR     serve the dashboard from DIR (default: the folder 'web' beside\n"
    "                     the otplab binary, where the build bundles web/)\n"
    "  and the options of 'otplab run'\n";
static const char lesson_help[] =
    "usage: otplab lesson [options] N [--interactive]\n"
    "\n"
    "Runs lesson N (see 'otplab lessons') with its narration. Straight through it\n"
    "exits 0 when every claim it checks held, 1 if one did not. --interactive\n"
    "runs it in the console and pauses after every step with a shell on the\n"
    "lesson's live processes: continue() or Ctrl-D goes on, check() checks an\n"
    "exercise, help() lists more; after the lesson the console stays (Ctrl-D leaves).\n"
    "Options: those of 'otplab run'.\n";

int cli_help_to(FILE *out, const char *cmd) {
  if (strcmp(cmd, "run") == 0) fputs(run_help, out);
  else if (strcmp(cmd, "test") == 0) fputs(test_help, out);
  else if (strcmp(cmd, "explore") == 0) fputs(explore_help, out);
  else if (strcmp(cmd, "console") == 0) fputs(console_help, out);
  else if (strcmp(cmd, "serve") == 0) fputs(serve_help, out);
  else if (strcmp(cmd, "lessons") == 0) fputs("usage: otplab lessons\n\nLists the lessons of the course, numbered, one line each.\n", out);
  else if (strcmp(cmd, "lesson") == 0) fputs(lesson_help, out);
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
