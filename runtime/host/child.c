/*
** Running one scenario in a child process of its own (otplab test and
** explore): a crash or a hang of the scenario cannot take the runner down.
*/
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "host/cli.h"

int cli_child_run(void (*body)(void *), void *arg, FILE *out, int timeout_s, int *status) {
  fflush(stdout);
  fflush(stderr);
  uint64_t t0 = otp_now_ns();
  pid_t child = fork();
  if (child < 0) {
    perror("otplab: fork");
    *status = 1 << 8;
    return 0;
  }
  if (child == 0) {
    dup2(fileno(out), STDOUT_FILENO);
    dup2(fileno(out), STDERR_FILENO);
    body(arg);
    _exit(CLI_FAILED);
  }
  for (;;) {
    pid_t r = waitpid(child, status, WNOHANG);
    if (r == child) return 0;
    if (r < 0 && errno != EINTR) return 0;
    if (otp_now_ns() - t0 > (uint64_t)timeout_s * 1000000000u) {
      kill(child, SIGKILL);
      waitpid(child, status, 0);
      return 1;
    }
    struct timespec tick = {0, 5 * 1000000L};
    nanosleep(&tick, NULL);
  }
}

void cli_child_show_output(FILE *out, const char *indent) {
  char line[4096];
  int last_newline = 1;
  rewind(out);
  while (fgets(line, sizeof line, out)) {
    if (last_newline) fputs(indent, stdout);
    fputs(line, stdout);
    size_t n = strlen(line);
    last_newline = n > 0 && line[n - 1] == '\n';
  }
  if (!last_newline) fputc('\n', stdout);
}
