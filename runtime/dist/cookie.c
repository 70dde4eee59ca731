/*
** The node's cookie when --cookie does not give one: ~/.erlang.cookie, as
** erl finds it, and made as erl makes it when there is none (20 random
** capital letters, readable by its owner only). erl refuses a cookie file
** that others may read; so does otplab, with erl's reason.
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dist/dist_internal.h"

#define COOKIE_LEN 20

static int create_cookie(const char *path, char *err, size_t errlen) {
  unsigned char bytes[COOKIE_LEN];
  char cookie[COOKIE_LEN];
  if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes) {
    snprintf(err, errlen, "badarg: no random bytes to make a cookie (%s): give one "
             "with --cookie C", strerror(errno));
    return -1;
  }
  for (int i = 0; i < COOKIE_LEN; i++) cookie[i] = (char)('A' + bytes[i] % 26);
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0400);
  if (fd < 0) {
    if (errno == EEXIST) return 0;          /* another node made it first: read theirs */
    snprintf(err, errlen, "badarg: cannot create the cookie file %s (%s): give a cookie "
             "with --cookie C", path, strerror(errno));
    return -1;
  }
  ssize_t n = write(fd, cookie, sizeof cookie);
  int failed = n != (ssize_t)sizeof cookie || close(fd) != 0;
  if (failed) {
    snprintf(err, errlen, "badarg: cannot write the cookie file %s: give a cookie with "
             "--cookie C", path);
    unlink(path);
    return -1;
  }
  return 0;
}

static int read_cookie(const char *path, char *out, size_t outlen, char *err, size_t errlen) {
  int fd = open(path, O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    snprintf(err, errlen, "badarg: cannot read the cookie file %s (%s): make it readable by "
             "you, or give a cookie with --cookie C", path, strerror(errno));
    if (fd >= 0) close(fd);
    return -1;
  }
  if (!S_ISREG(st.st_mode) || (st.st_mode & 077)) {
    snprintf(err, errlen, "badarg: cookie file %s must be accessible by owner only "
             "(chmod 400 %s), as erl requires", path, path);
    close(fd);
    return -1;
  }
  char buf[EI_MAX_COOKIE_SIZE + 2];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n > 0 ? n : 0] = '\0';
  char *start = buf + strspn(buf, " \t\r\n");
  size_t len = strcspn(start, "\r\n");
  while (len && (start[len - 1] == ' ' || start[len - 1] == '\t')) len--;
  if (!len || len >= outlen) {
    snprintf(err, errlen, "badarg: the cookie file %s %s: put a cookie in it, or give one "
             "with --cookie C", path, len ? "holds a line too long for a cookie" : "is empty");
    return -1;
  }
  memcpy(out, start, len);
  out[len] = '\0';
  return 0;
}

int otp_dist_home_cookie(char *out, size_t outlen, char *err, size_t errlen) {
  const char *home = getenv("HOME");
  if (!home || !*home) {
    snprintf(err, errlen, "badarg: no --cookie and no HOME to find ~/.erlang.cookie in: "
             "give a cookie with --cookie C");
    return -1;
  }
  char path[4096];
  snprintf(path, sizeof path, "%s/.erlang.cookie", home);
  struct stat st;
  if (stat(path, &st) != 0 && errno == ENOENT && create_cookie(path, err, errlen) != 0)
    return -1;
  return read_cookie(path, out, outlen, err, errlen);
}
