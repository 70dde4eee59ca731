/*
** otplab console [options] [--sname N [--cookie C]] [--web [--port P] [--bind A] [--token T]] [FILE]
*/
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "host/cli.h"
#include "console/console.h"

int cli_console_start_dist(otp_node *node, void *dist) { return cli_start_dist(node, dist); }
void cli_console_stop_dist(otp_node *node, void *dist) { (void)dist; cli_stop_dist(node); }

int cli_console(int argc, char **argv) {
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  const char *file = NULL;
  otp_console_web web = {.net = {.bind = "127.0.0.1", .port = 4000, .token = NULL}};
  cli_dist_options dist = {0};
  int want_web = 0, net_options = 0, port_given = 0;
  char token[40];
  for (int i = 0; i < argc; i++) {
    int r = cli_node_option(&cfg, argc, argv, &i);
    if (r == 0) r = cli_dist_option(&dist, argc, argv, &i);
    if (r == 0 && (r = cli_net_option(&web.net, "console", argc, argv, &i, &port_given)) > 0)
      net_options = 1;
    if (r < 0) return CLI_USAGE;
    if (r > 0) continue;
    if (strcmp(argv[i], "--web") == 0) {
      want_web = 1;
      continue;
    }
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
  if (net_options && !want_web) {
    fprintf(stderr, "otplab console: --port, --bind and --token go with --web (the dashboard "
            "beside the console): otplab console --web --port P\n");
    return CLI_USAGE;
  }
  web.any_port_if_busy = !port_given;
  if (want_web && cli_net_token(&web.net, "console", token, sizeof token) != 0) return CLI_FAILED;
  otp_console_hooks hooks = {.start = cli_console_start_dist, .stop = cli_console_stop_dist,
                              .arg = &dist};
  return otp_console_main(&cfg, file, want_web ? &web : NULL, &hooks) == 0 ? CLI_OK : CLI_FAILED;
}
