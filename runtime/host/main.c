/*
** otplab: run Lua scripts as processes of an Erlang-like runtime.
*/
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>
#include "host/cli.h"

/* With --seed a run must be reproducible to the byte, and tables keyed by
** pids or tables iterate in the order of their addresses: run again with
** address randomisation off (as setarch -R does). Best effort: if the
** kernel refuses, the run goes on as it is. */
static void fixed_addresses(char **argv) {
  int seeded = strcmp(argv[1], "explore") == 0;   /* its runs are seeded */
  for (char **a = argv + 2; *a && !seeded; a++) seeded = strcmp(*a, "--seed") == 0;
  if (!seeded) return;
  int current = personality(0xffffffff);
  if (current < 0 || (current & ADDR_NO_RANDOMIZE)) return;
  if (personality((unsigned long)current | ADDR_NO_RANDOMIZE) < 0) return;
  int now = personality(0xffffffff);
  if (now < 0 || !(now & ADDR_NO_RANDOMIZE)) return;   /* never exec in a loop */
  execv("/proc/self/exe", argv);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    cli_usage(stderr);
    return CLI_USAGE;
  }
  fixed_addresses(argv);
  const char *cmd = argv[1];
  /* 'otplab serve --help' is 'otplab help serve' (after FILE, -h is FILE's) */
  if (argc > 2 && (strcmp(argv[2], "--help") == 0 || strcmp(argv[2], "-h") == 0) &&
      cli_help_to(stdout, cmd) == 0)
    return CLI_OK;
  if (strcmp(cmd, "run") == 0) return cli_run(argc - 2, argv + 2);
  if (strcmp(cmd, "explore") == 0) return cli_explore(argc - 2, argv + 2);
  if (strcmp(cmd, "test") == 0) return cli_test(argc - 2, argv + 2);
  if (strcmp(cmd, "console") == 0) return cli_console(argc - 2, argv + 2);
  if (strcmp(cmd, "serve") == 0) return cli_serve(argc - 2, argv + 2);
  if (strcmp(cmd, "lessons") == 0) return cli_lessons(argc - 2, argv + 2);
  if (strcmp(cmd, "lesson") == 0) return cli_lesson(argc - 2, argv + 2);
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
    return cli_help(argc - 2, argv + 2);
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    printf("otplab %s (Lua 5.4, libuv %s)\n", OTP_VERSION, uv_version_string());
    return CLI_OK;
  }
  fprintf(stderr, "otplab: unknown command '%s'\n", cmd);
  cli_usage(stderr);
  return CLI_USAGE;
}
