/*
** otplab test [PATH...]: every *.lua under the paths is a scenario, run in a
** child process of its own (a crash or a hang cannot take the runner down),
** with its output kept and shown only when it fails (and, with --junit FILE,
** written to a JUnit XML report).
*/
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "host/cli.h"
#include "host/junit.h"

typedef struct dir_id {
  dev_t dev;
  ino_t ino;
} dir_id;

/* The scenarios found, and every directory already walked (by device and
** inode, so two paths to one directory count once). */
typedef struct files {
  char **v;
  size_t n, cap;
  dir_id *seen;
  size_t n_seen, cap_seen;
} files;

/* Records st as walked; 0 if it was walked before. */
static int first_visit(files *f, const struct stat *st) {
  for (size_t i = 0; i < f->n_seen; i++)
    if (f->seen[i].dev == st->st_dev && f->seen[i].ino == st->st_ino) return 0;
  if (f->n_seen == f->cap_seen) {
    f->cap_seen = f->cap_seen ? f->cap_seen * 2 : 16;
    f->seen = realloc(f->seen, f->cap_seen * sizeof *f->seen);
    if (!f->seen) abort();
  }
  f->seen[f->n_seen++] = (dir_id){st->st_dev, st->st_ino};
  return 1;
}

static void add_file(files *f, const char *path) {
  if (f->n == f->cap) {
    f->cap = f->cap ? f->cap * 2 : 64;
    f->v = realloc(f->v, f->cap * sizeof *f->v);
    if (!f->v) abort();
  }
  f->v[f->n++] = strdup(path);
}

static void files_free(files *f) {
  for (size_t i = 0; i < f->n; i++) free(f->v[i]);
  free(f->v);
  free(f->seen);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void collect(files *f, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) return;
  if (S_ISREG(st.st_mode)) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (ends_with(path, ".lua") && base[0] != '_') add_file(f, path);   /* _x.lua: helpers */
    return;
  }
  if (!S_ISDIR(st.st_mode) || !first_visit(f, &st)) return;
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char sub[4096];
    int len = snprintf(sub, sizeof sub, "%s%s%s", path, ends_with(path, "/") ? "" : "/", e->d_name);
    if (len < 0 || (size_t)len >= sizeof sub) continue;
    /* a symlink to a directory inside the tree is not followed: a link to
    ** ".." or /proc/self would walk far outside (or forever) */
    struct stat lst;
    if (lstat(sub, &lst) == 0 && S_ISLNK(lst.st_mode) && stat(sub, &st) == 0 && S_ISDIR(st.st_mode))
      continue;
    collect(f, sub);
  }
  closedir(d);
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct scenario {
  const otp_node_config *cfg;
  const char *path;
} scenario;

static void run_scenario(void *arg) {
  const scenario *sc = arg;
  char *no_args[] = {NULL};
  _exit(cli_run_file(sc->cfg, NULL, sc->path, 0, no_args));
}

/* Why the run failed, in otplab's words: the last line of out that starts
** with "otplab: " (or else its last non-blank line), at most len - 1 bytes. */
static void failure_reason(FILE *out, char *buf, size_t len) {
  char line[4096];
  int said = 0;
  buf[0] = 0;
  rewind(out);
  while (fgets(line, sizeof line, out)) {
    line[strcspn(line, "\r\n")] = 0;
    const char *text = line + strspn(line, " \t");
    int from_otplab = strncmp(text, "otplab: ", 8) == 0;
    if (*text && (from_otplab || !said)) snprintf(buf, len, "%s", from_otplab ? text + 8 : text);
    said |= from_otplab;
  }
}

/* Runs one scenario in a child; returns 1 if it passed. */
static int run_one(const otp_node_config *cfg, const char *path, int timeout_s, int verbose,
                   junit *report) {
  FILE *out = tmpfile();
  if (!out) {
    perror("otplab test: tmpfile");
    return 0;
  }
  uint64_t t0 = otp_now_ns();
  int status = 0;
  scenario sc = {cfg, path};
  int timed_out = cli_child_run(run_scenario, &sc, out, timeout_s, &status);
  double ms = (double)(otp_now_ns() - t0) / 1e6;
  int passed = !timed_out && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (passed) {
    printf("ok    %s (%.0f ms)\n", path, ms);
    if (verbose) cli_child_show_output(out, "    ");
  } else {
    if (timed_out) printf("FAIL  %s: still running after %d s (killed; replay with --seed %llu)\n",
                          path, timeout_s, (unsigned long long)cfg->seed);
    else if (WIFSIGNALED(status))
      printf("FAIL  %s: otplab died with signal %d (%s; replay with --seed %llu)\n", path,
             WTERMSIG(status), strsignal(WTERMSIG(status)), (unsigned long long)cfg->seed);
    else printf("FAIL  %s (%.0f ms; replay with --seed %llu)\n", path, ms,
                (unsigned long long)cfg->seed);
    cli_child_show_output(out, "    ");
  }
  if (report) {
    char why[256] = "";
    if (timed_out) snprintf(why, sizeof why, "still running after %d s (killed)", timeout_s);
    else if (WIFSIGNALED(status))
      snprintf(why, sizeof why, "otplab died with signal %d (%s)", WTERMSIG(status),
               strsignal(WTERMSIG(status)));
    else if (!passed) failure_reason(out, why, sizeof why);
    if (!passed && !why[0]) snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(status));
    char failure[320];
    snprintf(failure, sizeof failure, "%s (replay with --seed %llu)", why,
             (unsigned long long)cfg->seed);
    junit_case(report, path, ms / 1000.0, passed ? NULL : failure, out);
  }
  fclose(out);
  return passed;
}

int cli_test(int argc, char **argv) {
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  const char *filter = NULL, *junit_path = NULL;
  int timeout_s = 60, verbose = 0;
  files f = {0};
  int npaths = 0;
  for (int i = 0; i < argc; i++) {
    int r = cli_node_option(&cfg, argc, argv, &i);
    if (r < 0) return CLI_USAGE;
    if (r > 0) continue;
    if (strcmp(argv[i], "--verbose") == 0) {
      verbose = 1;
    } else if (strcmp(argv[i], "--filter") == 0 || strcmp(argv[i], "--timeout") == 0 ||
               strcmp(argv[i], "--junit") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "otplab test: option %s needs a value\n", argv[i]);
        return CLI_USAGE;
      }
      if (argv[i][2] == 'f') filter = argv[++i];
      else if (argv[i][2] == 'j') junit_path = argv[++i];
      else if ((timeout_s = atoi(argv[++i])) <= 0) {
        fprintf(stderr, "otplab test: --timeout needs a number of seconds\n");
        return CLI_USAGE;
      }
    } else if (strncmp(argv[i], "--", 2) == 0) {
      fprintf(stderr, "otplab test: unknown option '%s'\n", argv[i]);
      cli_help_to(stderr, "test");
      return CLI_USAGE;
    } else {
      struct stat st;
      if (stat(argv[i], &st) != 0) {
        fprintf(stderr, "otplab test: no such file or directory: %s\n", argv[i]);
        return CLI_USAGE;
      }
      collect(&f, argv[i]);
      npaths++;
    }
  }
  if (npaths == 0) {           /* the default folders; at least one must exist */
    struct stat st;
    int any = 0;
    static const char *const defaults[] = {"scenarios", "tests/lua"};
    for (int i = 0; i < 2; i++)
      if (stat(defaults[i], &st) == 0 && S_ISDIR(st.st_mode)) {
        collect(&f, defaults[i]);
        any = 1;
      }
    if (!any) {
      fprintf(stderr, "otplab test: there is no scenario folder here (the default ones are "
              "scenarios/ and tests/lua/); run it in your project's folder or give the "
              "files or folders to run: otplab test PATH...\n");
      return CLI_USAGE;
    }
  }
  if (!cfg.seeded) {          /* one seed for the run, named by every failure */
    cfg.seed = otp_rand_mix(otp_now_ns(), (uint64_t)getpid()) >> 1;
    cfg.seeded = 1;
  }
  junit *report = NULL;
  if (junit_path && !(report = junit_open(junit_path))) {
    fprintf(stderr, "otplab test: cannot write the JUnit report '%s': %s\n", junit_path,
            strerror(errno));
    files_free(&f);
    return CLI_USAGE;
  }
  qsort(f.v, f.n, sizeof *f.v, by_name);
  int passed = 0, failed = 0;
  for (size_t i = 0; i < f.n; i++) {
    if (!filter || strstr(f.v[i], filter)) {
      if (run_one(&cfg, f.v[i], timeout_s, verbose, report)) passed++;
      else failed++;
    }
  }
  files_free(&f);
  printf("%d passed, %d failed\n", passed, failed);
  if (report && junit_close(report) != 0) {
    fprintf(stderr, "otplab test: could not write the JUnit report '%s': %s\n", junit_path,
            strerror(errno));
    return CLI_FAILED;
  }
  return failed ? CLI_FAILED : CLI_OK;
}
