/*
** otplab console [options] [FILE]
*/
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "host/cli.h"
#include "console/console.h"

int cli_console(int argc, char **argv) {
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  const char *file = NULL;
  for (int i = 0; i < argc; i++) {
    int r = cli_node_option(&cfg, argc, argv, &i);
    if (r < 0) return CLI_USAGE;
    if (r > 0) continue;
    if (strncmp(argv[i], "--", 2) == 0 || file) {
      fprintf(stderr, "otplab console: %s '%s'\n",
              file ? "one FILE only, got also" : "unknown option", argv[i]);
      cli_help_to(stderr, "console");
      return CLI_USAGE;
    }
    file = argv[i];
  }
  if (file && access(file, R_OK) != 0) {
    fprintf(stderr, "otplab console: cannot read '%s'\n", file);
    return CLI_USAGE;
  }
  return otp_console_main(&cfg, file) == 0 ? CLI_OK : CLI_FAILED;
}
