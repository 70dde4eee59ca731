/*
** otplab lessons, otplab lesson N [--interactive]
**
** Lessons are the files lessons/NN_name.lua of the source tree; each starts
** with "-- Lesson N: TITLE" and "-- ONE LINE". `lessons` prints them in
** number order; `lesson N` runs one as `run` would. `--interactive` runs it
** in the console instead (OTPLAB_LESSON_MODE=interactive): otp.lesson's
** pauses read the console's lines, and when the lesson ends the learner
** stays in the console with its processes live.
*/
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "host/cli.h"
#include "console/console.h"

#define LESSONS_DIR OTP_LUA_DIR "/../lessons"
#define MAX_LESSONS 100

/* The path of lesson n in buf; 0 if found. */
static int lesson_path(int n, char *buf, size_t len) {
  DIR *d = opendir(LESSONS_DIR);
  if (!d) return -1;
  struct dirent *e;
  int found = -1;
  while (found && (e = readdir(d))) {
    char *end;
    long num = strtol(e->d_name, &end, 10);
    size_t nlen = strlen(e->d_name);
    if (end != e->d_name && *end == '_' && num == n && nlen > 4 &&
        strcmp(e->d_name + nlen - 4, ".lua") == 0) {
      snprintf(buf, len, "%s/%s", LESSONS_DIR, e->d_name);
      found = 0;
    }
  }
  closedir(d);
  return found;
}

/* "TITLE - ONE LINE" from the file's first two comment lines. */
static void print_entry(int n, const char *path) {
  FILE *f = fopen(path, "r");
  char title[256] = "", line[256] = "";
  if (f) {
    char first[300];
    if (fgets(first, sizeof first, f)) {
      char *colon = strchr(first, ':');
      if (colon) snprintf(title, sizeof title, "%s", colon + 2);
    }
    if (fgets(line, sizeof line, f) && strncmp(line, "-- ", 3) == 0)
      memmove(line, line + 3, strlen(line + 3) + 1);
    fclose(f);
  }
  title[strcspn(title, "\n")] = 0;
  line[strcspn(line, "\n")] = 0;
  printf("%2d  %s - %s\n", n, title, line);
}

int cli_lessons(int argc, char **argv) {
  (void)argv;
  if (argc > 0) {
    fprintf(stderr, "otplab lessons takes no arguments (run one with: otplab lesson N)\n");
    return CLI_USAGE;
  }
  char path[1024];
  int shown = 0;
  for (int n = 1; n <= MAX_LESSONS; n++)
    if (lesson_path(n, path, sizeof path) == 0) {
      print_entry(n, path);
      shown++;
    }
  if (!shown) {
    fprintf(stderr, "otplab: no lessons found in %s\n", LESSONS_DIR);
    return CLI_FAILED;
  }
  printf("\nRun one with: otplab lesson N [--interactive]\n");
  return CLI_OK;
}

int cli_lesson(int argc, char **argv) {
  otp_node_config cfg;
  otp_node_config_defaults(&cfg);
  cli_dist_options dist = {0};
  int interactive = 0, number = 0;
  for (int i = 0; i < argc; i++) {
    int r = cli_node_option(&cfg, argc, argv, &i);
    if (r == 0) r = cli_dist_option(&dist, argc, argv, &i);
    if (r < 0) return CLI_USAGE;
    if (r > 0) continue;
    if (strcmp(argv[i], "--interactive") == 0) {
      interactive = 1;
      continue;
    }
    char *end;
    long n = strtol(argv[i], &end, 10);
    if (*end || n <= 0 || number) {
      fprintf(stderr, "otplab lesson: expected one lesson number, got '%s' (see: otplab lessons)\n",
              argv[i]);
      return CLI_USAGE;
    }
    number = (int)n;
  }
  if (!number) {
    fprintf(stderr, "otplab lesson: which lesson? (see: otplab lessons)\n");
    return CLI_USAGE;
  }
  char path[1024];
  if (lesson_path(number, path, sizeof path) != 0) {
    fprintf(stderr, "otplab lesson: there is no lesson %d (see: otplab lessons)\n", number);
    return CLI_USAGE;
  }
  setenv("OTPLAB_LESSON_MODE", interactive ? "interactive" : "straight", 1);
  if (interactive) {
    otp_console_hooks hooks = {.start = cli_console_start_dist, .stop = cli_console_stop_dist,
                              .arg = &dist};
    return otp_console_main(&cfg, path, NULL, &hooks) == 0 ? CLI_OK : CLI_FAILED;
  }
  return cli_run_file(&cfg, &dist, path, 0, NULL);
}
