/*
** otplab run FILE [ARGS...]
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lauxlib.h>
#include "host/cli.h"
#include "core/format.h"
#include "core/size.h"
#include "core/term.h"
#include "lua/lotp.h"
#ifdef OTP_HAVE_DIST
#include "dist/dist.h"
#endif

int cli_node_option(otp_node_config *cfg, int argc, char **argv, int *i) {
  const char *opt = argv[*i];
  static const char *const levels[] = {"none", "error", "warning", "info", "debug"};
  if (strncmp(opt, "--", 2) != 0) return 0;
  if (strcmp(opt, "--virtual-time") == 0) {
    cfg->virtual_time = 1;
    return 1;
  }
  if (strcmp(opt, "--perturb") == 0) {
    cfg->perturb = 1;
    return 1;
  }
  if (strcmp(opt, "--seed") == 0) {
    if (*i + 1 >= argc) {
      fprintf(stderr, "otplab: option --seed needs a value\n");
      return -1;
    }
    const char *val = argv[++*i];
    char *end;
    errno = 0;
    unsigned long long n = strtoull(val, &end, 10);
    if (*end || end == val || errno || val[0] == '-') {
      fprintf(stderr, "otplab: --seed needs a whole number from 0 to %llu, got '%s'\n",
              (unsigned long long)UINT64_MAX, val);
      return -1;
    }
    cfg->seed = n;
    cfg->seeded = 1;
    return 1;
  }
  int known = strcmp(opt, "--reductions") == 0 || strcmp(opt, "--log-level") == 0 ||
              strcmp(opt, "--max-memory") == 0 || strcmp(opt, "--max-heap") == 0 ||
              strcmp(opt, "--trace-ring") == 0;
  if (!known) return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "otplab: option %s needs a value\n", opt);
    return -1;
  }
  const char *val = argv[++*i];
  if (strcmp(opt, "--reductions") == 0) {
    char *end;
    long n = strtol(val, &end, 10);
    if (*end || n <= 0 || n > 100000000) {
      fprintf(stderr, "otplab: --reductions needs a positive number of instructions, got '%s'\n", val);
      return -1;
    }
    cfg->reductions = (int)n;
  } else if (strcmp(opt, "--trace-ring") == 0) {
    char *end;
    long n = strtol(val, &end, 10);
    if (*end || end == val || n < 0 || n > 10000000) {
      fprintf(stderr, "otplab: --trace-ring needs a number of events (0 turns the ring off), "
              "got '%s'\n", val);
      return -1;
    }
    cfg->trace_ring = (int)n;
  } else if (strcmp(opt, "--log-level") == 0) {
    for (int l = 0; l < 5; l++)
      if (strcmp(val, levels[l]) == 0) {
        cfg->log_level = (otp_log_level)l;
        return 1;
      }
    fprintf(stderr, "otplab: --log-level must be none, error, warning, info or debug, got '%s'\n", val);
    return -1;
  } else {
    int node_wide = strcmp(opt, "--max-memory") == 0;
    uint64_t min = node_wide ? OTP_MIN_NODE_MEMORY : OTP_MIN_PROCESS_HEAP, bytes = 0;
    if (otp_parse_size(val, (uint64_t)1 << 20, &bytes) != OTP_SIZE_OK || bytes < min) {
      fprintf(stderr, "otplab: %s needs a size from %lluKB to 16TB: megabytes (\"64\") or a "
              "number with a unit (\"512KB\", \"16MB\", \"2GB\"), got '%s'\n",
              opt, (unsigned long long)(min >> 10), val);
      return -1;
    }
    *(node_wide ? &cfg->max_memory : &cfg->default_max_heap) = (size_t)bytes;
  }
  return 1;
}

int cli_dist_option(cli_dist_options *dist, int argc, char **argv, int *i) {
  const char *opt = argv[*i];
  if (strcmp(opt, "--sname") != 0 && strcmp(opt, "--name") != 0 &&
      strcmp(opt, "--cookie") != 0 && strcmp(opt, "--net-ticktime") != 0)
    return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "otplab: option %s needs a value\n", opt);
    return -1;
  }
  const char *val = argv[++*i];
  int sname = strcmp(opt, "--sname") == 0, name = strcmp(opt, "--name") == 0;
  if (sname || name) {
    if (dist->sname) {
      fprintf(stderr, "otplab: give one of --sname and --name, once (Erlang's -sname and "
              "-name)\n");
      return -1;
    }
    dist->sname = val;
    dist->longnames = name;
  } else if (opt[2] == 'c') {
    dist->cookie = val;
  } else {
    char *end;
    unsigned long s = strtoul(val, &end, 10);
    if (*end || end == val || s < 1 || s > 3600) {
      fprintf(stderr, "otplab: --net-ticktime needs whole seconds from 1 to 3600 (Erlang's "
              "net_ticktime: a node silent that long is down), got '%s'\n", val);
      return -1;
    }
    dist->ticktime_s = (unsigned)s;
  }
  return 1;
}

int cli_start_dist(otp_node *node, const cli_dist_options *dist) {
  cli_peer_attach(node, dist);   /* otp.peer and otp.net_kernel, named or not */
  if (!dist || !dist->sname) {
    if (dist && dist->cookie)
      fprintf(stderr, "otplab: warning: --cookie without --sname or --name is used only if "
              "otp.net_kernel.start names the node\n");
    return 0;
  }
#ifdef OTP_HAVE_DIST
  char err[512];
  if (otp_dist_start(node, dist->sname, dist->longnames, dist->cookie, dist->ticktime_s, err,
                     sizeof err) == 0)
    return 0;
  fprintf(stderr, "otplab: %s\n", err);
#else
  fprintf(stderr, "otplab: limit: this otplab was built without distribution (erl_interface "
          "was not found: install erlang-dev and rebuild)\n");
#endif
  cli_peer_detach(node);
  return -1;
}

void cli_stop_dist(otp_node *node) {
  cli_peer_detach(node);
#ifdef OTP_HAVE_DIST
  otp_dist_stop(node);
#endif
}

/* explore: the newest events of a failed run, as a sequence diagram, so
** every failure (a crash or a deadlock too, not only an expectation) shows
** the events leading up to it. */
static void print_ring_tail(otp_node *node) {
  static const char tail[] =
      "local ring = otp.trace._run_ring()\n"
      "if not ring then return '' end\n"
      "local evs, shown = ring:events(), {}\n"
      "for i = math.max(1, #evs - 29), #evs do shown[#shown + 1] = evs[i] end\n"
      "if #shown == 0 then return '' end\n"
      "return ('the events leading up to it (the newest %d):\\n'):format(#shown) ..\n"
      "       require('otp.trace_output').diagram(shown)\n";
  lua_State *L = node->L;
  if (luaL_loadbuffer(L, tail, sizeof tail - 1, "=explore") == LUA_OK &&
      lua_pcall(L, 0, 1, 0) == LUA_OK) {
    if (lua_tostring(L, -1)[0]) fprintf(stderr, "%s", lua_tostring(L, -1));
  } else {
    fprintf(stderr, "otplab: the events of the run could not be shown: %s\n",
            lua_tostring(L, -1));
  }
  lua_pop(L, 1);
}

int cli_run_file(const otp_node_config *cfg, const cli_dist_options *dist, const char *path,
                 int argc, char **argv) {
  struct stat st;
  if (access(path, R_OK) != 0 || stat(path, &st) != 0) {
    fprintf(stderr, "otplab: cannot read '%s': %s\n", path, strerror(errno));
    return CLI_USAGE;
  }
  if (!S_ISREG(st.st_mode)) {
    fprintf(stderr, "otplab: '%s' is not a file (give the Lua script to run)\n", path);
    return CLI_USAGE;
  }
  char err[256];
  otp_node *node = otp_node_new(cfg, err, sizeof err);
  if (!node) {
    fprintf(stderr, "otplab: %s\n", err);
    return CLI_FAILED;
  }
  if (cli_start_dist(node, dist) != 0) {
    otp_node_free(node);
    return CLI_FAILED;
  }
  if (otp_node_start_file(node, path, argc, argv) != 0) {
    fprintf(stderr, "otplab: %s\n", lua_tostring(node->L, -1));
    cli_stop_dist(node);
    otp_node_free(node);
    return CLI_FAILED;
  }
  if (cfg->trace_ring > 0 && otp_trace_start_run_ring(node, node->first, cfg->trace_ring) != 0)
    fprintf(stderr, "otplab: warning: the trace ring could not be started; failure reports "
            "will show no trace\n");
  int status = otp_node_run(node);
  if (status != 0) {
    lua_State *L = node->L;
    lua_rawgeti(L, LUA_REGISTRYINDEX, node->first_exit_ref);
    otp_format_reason(L, -1);
    fprintf(stderr, "otplab: %s exited: %s\n", path, lua_tostring(L, -1));
    if (node->first_killed_by_link) {
      char from[48];
      otp_pid_format_on(node, node->first_killed_by_link, from, sizeof from);
      fprintf(stderr, "otplab: it was killed through its link to %s, which exited with reason "
              "%s: a process that does not trap exits dies with the reason of a linked "
              "process that fails. To get {\"EXIT\", %s, reason} as a message instead, call "
              "otp.trap_exit(true) before linking.\n", from, lua_tostring(L, -1), from);
    }
    /* explore: the events, unless the expectation's report showed them */
    if (cfg->perturb && !strstr(lua_tostring(L, -1), "the trace leading to it"))
      print_ring_tail(node);
    lua_pop(L, 2);
  }
  fflush(stdout);
  cli_stop_dist(node);
  otp_node_free(node);
  return status ? CLI_FAILED : CLI_OK;
}

int cli_run(int argc, char **argv) {
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cli_dist_options dist = {0};
  int i = 0;
  for (; i < argc; i++) {
    int r = cli_dist_option(&dist, argc, argv, &i);
    if (r == 0) r = cli_node_option(&cfg, argc, argv, &i);
    if (r < 0) return CLI_USAGE;
    if (r == 0) break;
  }
  if (i >= argc) {
    fprintf(stderr, "otplab run: which file?\n");
    cli_help_to(stderr, "run");
    return CLI_USAGE;
  }
  if (strncmp(argv[i], "--", 2) == 0) {
    fprintf(stderr, "otplab run: unknown option '%s'\n", argv[i]);
    cli_help_to(stderr, "run");
    return CLI_USAGE;
  }
  return cli_run_file(&cfg, &dist, argv[i], argc - i - 1, argv + i + 1);
}
