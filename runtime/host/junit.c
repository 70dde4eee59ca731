/*
** JUnit XML: the shape CI systems read (testsuites > testsuite > testcase,
** with failure and system-out), text escaped for XML 1.0: the five markup
** characters as entities, and control characters XML cannot carry dropped.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "host/junit.h"

#define OUTPUT_KEEP (64 * 1024)     /* the tail of a scenario's output kept */

struct junit {
  char *path, *tmp_path;
  FILE *cases;                      /* the <testcase> elements, until close */
  int tests, failures;
  double seconds;
  char started[32];
};

static void put_escaped(FILE *to, const char *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    switch (ch) {
      case '&': fputs("&amp;", to); break;
      case '<': fputs("&lt;", to); break;
      case '>': fputs("&gt;", to); break;
      case '"': fputs("&quot;", to); break;
      default:
        if (ch >= 0x20 || ch == '\n' || ch == '\t' || ch == '\r') fputc(ch, to);
    }
  }
}

static void put_text(FILE *to, const char *s) {
  put_escaped(to, s, strlen(s));
}

junit *junit_open(const char *path) {
  junit *j = calloc(1, sizeof *j);
  if (!j) return NULL;
  size_t n = strlen(path);
  j->path = strdup(path);
  j->tmp_path = malloc(n + 5);
  if (!j->path || !j->tmp_path) goto fail;
  memcpy(j->tmp_path, path, n);
  memcpy(j->tmp_path + n, ".tmp", 5);
  FILE *probe = fopen(j->tmp_path, "w");       /* fail now, not after the run */
  if (!probe) goto fail;
  fclose(probe);
  j->cases = tmpfile();
  if (!j->cases) goto fail;
  time_t now = time(NULL);
  strftime(j->started, sizeof j->started, "%Y-%m-%dT%H:%M:%S", localtime(&now));
  return j;
fail:;
  int saved = errno;
  if (j->tmp_path) remove(j->tmp_path);
  free(j->path);
  free(j->tmp_path);
  free(j);
  errno = saved;
  return NULL;
}

/* The scenario's output, its last OUTPUT_KEEP bytes. */
static void put_output(FILE *to, FILE *out) {
  if (fseek(out, 0, SEEK_END) != 0) return;
  long size = ftell(out);
  long from = size > OUTPUT_KEEP ? size - OUTPUT_KEEP : 0;
  if (size <= 0 || fseek(out, from, SEEK_SET) != 0) return;
  if (from) fprintf(to, "[... %ld bytes before this were left out ...]\n", from);
  char buf[4096];
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, out)) > 0) put_escaped(to, buf, got);
}

/* "tests/lua/rules" for "tests/lua/rules/x.lua": the classname CI groups by. */
static void put_classname(FILE *to, const char *path) {
  const char *slash = strrchr(path, '/');
  if (!slash) fputs("otplab", to);
  else put_escaped(to, path, (size_t)(slash - path));
}

void junit_case(junit *j, const char *path, double seconds, const char *failure, FILE *out) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  j->tests++;
  j->seconds += seconds;
  fputs("    <testcase classname=\"", j->cases);
  put_classname(j->cases, path);
  fputs("\" name=\"", j->cases);
  put_text(j->cases, base);
  fputs("\" file=\"", j->cases);
  put_text(j->cases, path);
  fprintf(j->cases, "\" time=\"%.3f\">\n", seconds);
  if (failure) {
    j->failures++;
    fputs("      <failure message=\"", j->cases);
    put_text(j->cases, failure);
    fputs("\" type=\"scenario\"/>\n", j->cases);
  }
  fputs("      <system-out>", j->cases);
  put_output(j->cases, out);
  fputs("</system-out>\n    </testcase>\n", j->cases);
}

int junit_close(junit *j) {
  int rc = -1, saved = 0;
  FILE *to = fopen(j->tmp_path, "w");
  if (to) {
    fprintf(to, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<testsuites name=\"otplab test\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
                "time=\"%.3f\">\n"
                "  <testsuite name=\"otplab\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
                "skipped=\"0\" time=\"%.3f\" timestamp=\"%s\">\n",
            j->tests, j->failures, j->seconds, j->tests, j->failures, j->seconds, j->started);
    rewind(j->cases);
    char buf[8192];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, j->cases)) > 0) fwrite(buf, 1, got, to);
    fputs("  </testsuite>\n</testsuites>\n", to);
    int write_failed = ferror(to);
    if (fclose(to) == 0 && !write_failed && rename(j->tmp_path, j->path) == 0) rc = 0;
  }
  if (rc != 0) {
    saved = errno;
    remove(j->tmp_path);
  }
  fclose(j->cases);
  free(j->path);
  free(j->tmp_path);
  free(j);
  if (rc != 0) errno = saved;
  return rc;
}
