/*
** otplab: run Lua scripts as processes of an Erlang-like runtime.
*/
#include <stdio.h>
#include <string.h>
#include "host/cli.h"

int main(int argc, char **argv) {
  if (argc < 2) {
    cli_usage(stderr);
    return CLI_USAGE;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "run") == 0) return cli_run(argc - 2, argv + 2);
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
