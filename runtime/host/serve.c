/*
** otplab serve [--port 4000] [--bind 127.0.0.1] [--token T] [--api-share F] [--web-root DIR]
**              [--sname N] [FILE]
** The REST API, the live event stream and the dashboard (BINARY_DIR/web, or
** DIR) over a running node: FILE's processes, or the demo tree.  Runs until SIGINT or SIGTERM.  Also the
** server options that `otplab console --web` shares.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lauxlib.h>
#include "host/cli.h"
#include "net/net.h"
#include "core/format.h"
#include "lua/lotp.h"

typedef struct {
  uv_signal_t sigint, sigterm;
  otp_net *net;
} serve_signals;

static void on_signal(uv_signal_t *h, int signum) {
  serve_signals *s = h->data;
  otp_net_post_signal(s->net, signum == SIGINT ? "SIGINT" : "SIGTERM");
}

static int make_token(char *out, size_t len) {
  FILE *f = fopen("/dev/urandom", "rb");
  unsigned char raw[16];
  if (!f || fread(raw, 1, sizeof raw, f) != sizeof raw || len < 33) {
    if (f) fclose(f);
    return -1;
  }
  fclose(f);
  for (size_t i = 0; i < sizeof raw; i++) snprintf(out + 2 * i, 3, "%02x", raw[i]);
  return 0;
}

int cli_net_option(otp_net_config *ncfg, const char *cmd, int argc, char **argv, int *i,
                   int *port_given) {
  const char *opt = argv[*i];
  if (strcmp(opt, "--port") != 0 && strcmp(opt, "--bind") != 0 && strcmp(opt, "--token") != 0 &&
      strcmp(opt, "--web-root") != 0 && strcmp(opt, "--api-share") != 0)
    return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "otplab %s: option %s needs a value\n", cmd, opt);
    return -1;
  }
  const char *val = argv[++*i];
  if (strcmp(opt, "--port") == 0) {
    char *end;
    long port = strtol(val, &end, 10);
    if (*end || end == val || port < 1 || port > 65535) {
      fprintf(stderr, "otplab %s: --port needs a port number (1-65535), got '%s'\n", cmd, val);
      return -1;
    }
    ncfg->port = (int)port;
    if (port_given) *port_given = 1;
  } else if (strcmp(opt, "--bind") == 0) {
    ncfg->bind = val;
  } else if (strcmp(opt, "--web-root") == 0) {
    ncfg->web_root = val;
  } else if (strcmp(opt, "--api-share") == 0) {
    char *end;
    double share = strtod(val, &end);
    if (*end || end == val || !(share > 0 && share <= 1)) {
      fprintf(stderr,
              "otplab %s: --api-share needs a fraction of the node's time above 0 and at most 1 "
              "(e.g. 0.15; 1 for no limit), got '%s'\n", cmd, val);
      return -1;
    }
    ncfg->share = share;
  } else {
    if (!*val) {
      fprintf(stderr, "otplab %s: --token needs a non-empty token\n", cmd);
      return -1;
    }
    ncfg->token = val;
  }
  return 1;
}

int cli_net_token(otp_net_config *ncfg, const char *cmd, char *buf, size_t len) {
  int loopback = strncmp(ncfg->bind, "127.", 4) == 0 || strcmp(ncfg->bind, "localhost") == 0 ||
                 strcmp(ncfg->bind, "::1") == 0;
  if (loopback || ncfg->token) return 0;
  if (make_token(buf, len) != 0) {
    fprintf(stderr, "otplab %s: cannot make a token: give one with --token\n", cmd);
    return -1;
  }
  ncfg->token = buf;
  return 0;
}

static int has_dashboard(const char *dir) {
  char path[4096];
  snprintf(path, sizeof path, "%s/index.html", dir);
  FILE *f = fopen(path, "rb");
  if (f) fclose(f);
  return f != NULL;
}

void cli_net_announce(const otp_net_config *ncfg, otp_net *net, const char *cmd, const char *what) {
  printf("otplab %s: %shttp://%s:%d/\n", cmd, what, ncfg->bind, otp_net_port(net));
  const char *web = otp_net_web_root(net);
  if (!web || !has_dashboard(web))
    printf("otplab %s: the dashboard is not built (no index.html in %s): build it with 'make build'\n",
           cmd, web ? web : "the binary's folder");
  if (ncfg->token)
    printf("otplab %s: token %s (send 'Authorization: Bearer %s')\n", cmd, ncfg->token, ncfg->token);
  fflush(stdout);
}

int cli_serve(int argc, char **argv) {
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  otp_net_config ncfg = {.bind = "127.0.0.1", .port = 4000, .token = NULL};
  cli_dist_options dist = {0};
  const char *file = NULL;
  char token[40];
  for (int i = 0; i < argc; i++) {
    int r = cli_node_option(&cfg, argc, argv, &i);
    if (r == 0) r = cli_net_option(&ncfg, "serve", argc, argv, &i, NULL);
    if (r == 0) r = cli_dist_option(&dist, argc, argv, &i);
    if (r < 0) return CLI_USAGE;
    if (r > 0) continue;
    const char *opt = argv[i];
    if (strncmp(opt, "--", 2) == 0) {
      fprintf(stderr, "otplab serve: unknown option '%s'\n", opt);
      cli_help_to(stderr, "serve");
      return CLI_USAGE;
    } else if (!file) {
      file = opt;
    } else {
      fprintf(stderr, "otplab serve: one FILE only, got '%s' too\n", opt);
      return CLI_USAGE;
    }
  }
  if (cli_net_token(&ncfg, "serve", token, sizeof token) != 0) return CLI_FAILED;
  char err[256];
  otp_node *node = otp_node_new(&cfg, err, sizeof err);
  if (!node) {
    fprintf(stderr, "otplab: %s\n", err);
    return CLI_FAILED;
  }
  if (cli_start_dist(node, &dist) != 0) {
    otp_node_free(node);
    return CLI_FAILED;
  }
  otp_net *net = otp_net_open(node, &ncfg, err, sizeof err);
  if (!net) {
    fprintf(stderr, "otplab serve: %s\n", err);
    cli_stop_dist(node);
    otp_node_free(node);
    return CLI_FAILED;
  }
  otp_net_open_lua(net, node->L);
  char *args[] = {(char *)(file ? file : "")};
  if (otp_node_start_file(node, OTP_LUA_DIR "/otp/api/main.lua", 1, args) != 0) {
    fprintf(stderr, "otplab serve: %s\n", lua_tostring(node->L, -1));
    otp_net_close(net);
    cli_stop_dist(node);
    otp_node_free(node);
    otp_net_free(net);
    return CLI_FAILED;
  }
  serve_signals sig = {.net = net};
  uv_signal_init(&node->loop, &sig.sigint);
  uv_signal_init(&node->loop, &sig.sigterm);
  sig.sigint.data = sig.sigterm.data = &sig;
  uv_signal_start(&sig.sigint, on_signal, SIGINT);
  uv_signal_start(&sig.sigterm, on_signal, SIGTERM);
  cli_net_announce(&ncfg, net, "serve", "");
  int status = otp_node_run(node);
  if (status != 0) {
    lua_State *L = node->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, node->first_exit_ref);
    otp_format_reason(L, -1);
    fprintf(stderr, "otplab serve: the API server exited: %s\n", lua_tostring(L, -1));
    lua_pop(L, 2);
  }
  uv_close((uv_handle_t *)&sig.sigint, NULL);
  uv_close((uv_handle_t *)&sig.sigterm, NULL);
  otp_net_close(net);
  cli_stop_dist(node);
  int left = otp_node_free(node);
  otp_net_free(net);
  if (left != 0) {
    fprintf(stderr, "otplab serve: handles were still open on the loop at exit\n");
    return CLI_FAILED;
  }
  printf("otplab serve: stopped\n");
  return status ? CLI_FAILED : CLI_OK;
}
