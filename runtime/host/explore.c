/*
** otplab explore FILE [--runs N] [--seed S]: the scenario run N times, each
** in a fresh otplab of its own (`otplab run --virtual-time --perturb
** --reductions R --seed S+k FILE`), each run under another seeded schedule
** (sched.c: slice lengths and the choice among runnable processes), until
** one fails.  The child is started with exec and a fixed argv and
** environment, so `--seed S --runs 1` (from the same folder) starts exactly
** the process the failing run was, and replays it (rand.h, wall_clock.c,
** main.c).
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "host/cli.h"

#define MAX_PASSED 32             /* node options passed on to each run */

typedef struct explore_run {
  char *argv[MAX_PASSED + 16];
  char seed[24];
  char **envp;
} explore_run;

static void exec_run(void *arg) {
  explore_run *r = arg;
  execve("/proc/self/exe", r->argv, r->envp);
  fprintf(stderr, "otplab explore: cannot start a run: %s\n", strerror(errno));
}

/* The environment of every run: only what a run reads (Lua's paths, HOME,
** the sanitizers' options), so a replay from another shell starts the same
** process. */
static char **run_environment(void) {
  static const char *const keep[] = {"HOME", "LUA_PATH", "LUA_PATH_5_4", "LUA_CPATH",
                                     "LUA_CPATH_5_4", "ASAN_OPTIONS", "UBSAN_OPTIONS",
                                     "LSAN_OPTIONS", NULL};
  static char *env[12];
  int n = 0;
  for (int i = 0; keep[i]; i++) {
    const char *v = getenv(keep[i]);
    if (!v) continue;
    size_t len = strlen(keep[i]) + strlen(v) + 2;
    env[n] = malloc(len);
    if (!env[n]) abort();
    snprintf(env[n++], len, "%s=%s", keep[i], v);
  }
  env[n] = NULL;
  return env;
}

static int parse_count(const char *opt, const char *val, unsigned long long max,
                       unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(val, &end, 10);
  if (*end || end == val || errno || val[0] == '-' || n > max || (n == 0 && opt[2] == 'r')) {
    fprintf(stderr, "otplab explore: %s needs a whole number%s, got '%s'\n", opt,
            opt[2] == 'r' ? " of runs from 1" : "", val);
    return -1;
  }
  *out = n;
  return 0;
}

/* Progress on stderr: on a terminal one line redrawn every second, else a
** line every 10 s. */
static void progress(uint64_t *last_ns, unsigned long long done, unsigned long long runs) {
  int tty = isatty(STDERR_FILENO);
  uint64_t now = otp_now_ns();
  if (now - *last_ns < (tty ? 1000000000ull : 10000000000ull)) return;
  *last_ns = now;
  fprintf(stderr, tty ? "\rexplore: %llu/%llu runs, no failure yet" :
                        "explore: %llu/%llu runs, no failure yet\n", done, runs);
}

int cli_explore(int argc, char **argv) {
  unsigned long long runs = 200, seed = 0, timeout_s = 60;
  int seeded = 0, reductions = 0;
  const char *file = NULL;
  explore_run r = {0};
  int n = 0;
  r.argv[n++] = "otplab";
  r.argv[n++] = "run";
  int passed_start = n;
  n += 8;          /* --reductions R --virtual-time --perturb --seed S --log-level error */
  char reductions_text[16];
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--runs") == 0 || strcmp(a, "--seed") == 0 || strcmp(a, "--timeout") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "otplab explore: option %s needs a value\n", a);
        return CLI_USAGE;
      }
      unsigned long long *to = a[2] == 'r' ? &runs : a[2] == 's' ? &seed : &timeout_s;
      if (parse_count(a, argv[++i], a[2] == 't' ? 86400 : ULLONG_MAX, to) != 0) return CLI_USAGE;
      if (a[2] == 's') seeded = 1;
      continue;
    }
    if (strcmp(a, "--virtual-time") == 0 || strcmp(a, "--perturb") == 0) continue;  /* always on */
    int j = i;
    otp_node_config cfg;
    otp_node_config_defaults(&cfg);
    int o = cli_node_option(&cfg, argc, argv, &i);
    if (o < 0) return CLI_USAGE;
    if (o > 0) {
      if (strcmp(a, "--reductions") == 0) reductions = cfg.reductions;
      else
        for (; j <= i; j++) {
          if (n >= MAX_PASSED + 8) {
            fprintf(stderr, "otplab explore: too many options\n");
            return CLI_USAGE;
          }
          r.argv[n++] = argv[j];
        }
      continue;
    }
    if (strncmp(a, "--", 2) == 0 || file) {
      fprintf(stderr, file ? "otplab explore: one file at a time, got '%s' as well\n"
                           : "otplab explore: unknown option '%s'\n", a);
      cli_help_to(stderr, "explore");
      return CLI_USAGE;
    }
    file = a;
  }
  if (!file) {
    fprintf(stderr, "otplab explore: which file?\n");
    cli_help_to(stderr, "explore");
    return CLI_USAGE;
  }
  char path[PATH_MAX];
  struct stat st;
  if (!realpath(file, path) || stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
    fprintf(stderr, "otplab explore: cannot read '%s': %s\n", file,
            errno ? strerror(errno) : "not a file");
    return CLI_USAGE;
  }
  if (!seeded) seed = otp_rand_mix(otp_now_ns(), (uint64_t)getpid()) >> 1;
  snprintf(reductions_text, sizeof reductions_text, "%d", reductions ? reductions : 100);
  char **slot = r.argv + passed_start;
  *slot++ = "--reductions";
  *slot++ = reductions_text;
  *slot++ = "--virtual-time";
  *slot++ = "--perturb";
  *slot++ = "--seed";
  *slot++ = r.seed;
  *slot++ = "--log-level";              /* keep crash reports: they explain failures */
  *slot = "error";
  r.argv[n++] = (char *)file;   /* as given: the replay line names it the same way */
  r.argv[n] = NULL;
  r.envp = run_environment();
  uint64_t last = otp_now_ns();
  for (unsigned long long k = 0; k < runs; k++) {
    unsigned long long s = seed + k;
    snprintf(r.seed, sizeof r.seed, "%llu", s);
    FILE *out = tmpfile();
    if (!out) {
      perror("otplab explore: tmpfile");
      return CLI_FAILED;
    }
    int status = 0;
    int timed_out = cli_child_run(exec_run, &r, out, (int)timeout_s, &status);
    int ok = !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok) {
      if (isatty(STDERR_FILENO) && k > 0) fputc('\n', stderr);
      printf("failing seed: %llu (run %llu of %llu)\n", s, k + 1, runs);
      if (timed_out) printf("the run was still going after %llu s and was killed\n", timeout_s);
      else if (WIFSIGNALED(status)) printf("otplab died with signal %d (%s)\n",
                                           WTERMSIG(status), strsignal(WTERMSIG(status)));
      cli_child_show_output(out, "");
      printf("replay it: otplab explore %s --seed %llu --runs 1\n", file, s);
      fclose(out);
      return CLI_FAILED;
    }
    fclose(out);
    progress(&last, k + 1, runs);
  }
  if (isatty(STDERR_FILENO) && runs > 1) fputc('\n', stderr);
  printf("%llu runs, no failure\n", runs);
  return CLI_OK;
}
