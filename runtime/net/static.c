/*
** The dashboard's files: everything outside /api/ is a file of the built
** dashboard (web/, bundled into BUILD/web by the build), read from the web
** root and answered with its MIME type.  The single-page app's routes
** (/supervisors, /processes, ...) all answer its index.html.  A path that
** could leave the root (a ".." or hidden segment, or a symbolic link that
** resolves outside it) is refused; a missing file is a plain 404; a root
** without index.html answers a page that says how to build the dashboard.
*/
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "net/conn.h"

#define OTP_NET_MAX_FILE (64u << 20)   /* no dashboard asset comes near it */

static const char *const page_routes[] = {
  "/", "/supervisors", "/processes", "/trace", "/system", "/sandboxes",
  "/operations", "/lessons", "/cluster",
};

static const struct { const char *ext, *type; } mime_types[] = {
  {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
  {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
  {".svg", "image/svg+xml"},               {".map", "application/json"},
  {".json", "application/json"},           {".png", "image/png"},
  {".ico", "image/x-icon"},                {".woff2", "font/woff2"},
  {".txt", "text/plain; charset=utf-8"},
};

int otp_net_is_api_path(const char *path) {
  return strcmp(path, "/api") == 0 || strncmp(path, "/api/", 5) == 0;
}

static const char *mime_type(const char *path) {
  const char *dot = strrchr(path, '.');
  const char *slash = strrchr(path, '/');
  if (dot && (!slash || dot > slash))
    for (size_t i = 0; i < sizeof mime_types / sizeof mime_types[0]; i++)
      if (strcmp(dot, mime_types[i].ext) == 0) return mime_types[i].type;
  return "application/octet-stream";
}

static int is_page_route(const char *path) {
  size_t len = strlen(path);
  if (len > 1 && path[len - 1] == '/') len--;        /* /processes/ too */
  for (size_t i = 0; i < sizeof page_routes / sizeof page_routes[0]; i++)
    if (strlen(page_routes[i]) == len && strncmp(path, page_routes[i], len) == 0) return 1;
  return 0;
}

/* 1 if every segment of path is a plain name: no "..", ".", hidden file,
** backslash or empty segment (a doubled slash). */
static int path_is_plain(const char *path) {
  if (path[0] != '/' || strchr(path, '\\')) return 0;
  for (const char *s = path + 1; *s;) {
    if (*s == '.' || *s == '/') return 0;
    const char *end = strchr(s, '/');
    if (!end) break;
    s = end + 1;
  }
  return path[strlen(path) - 1] != '/';
}

char *otp_net_default_web_root(void) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 5);
  if (n <= 0) return NULL;
  exe[n] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return NULL;
  strcpy(slash + 1, "web");
  return strdup(exe);
}

/* The file at root + rel if it resolves inside root: 0 with buf filled, or an
** HTTP status (404 missing or outside, 500 unreadable). */
static int read_file(const char *root, const char *rel, unsigned char **buf, size_t *len) {
  char joined[PATH_MAX], resolved[PATH_MAX];
  if ((size_t)snprintf(joined, sizeof joined, "%s%s", root, rel) >= sizeof joined) return 404;
  if (!realpath(joined, resolved)) return 404;
  size_t rlen = strlen(root);
  if (strncmp(resolved, root, rlen) != 0 || resolved[rlen] != '/') return 404;
  FILE *f = fopen(resolved, "rb");
  if (!f) return errno == ENOENT ? 404 : 500;
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > OTP_NET_MAX_FILE) {
    fclose(f);
    return 404;
  }
  size_t size = (size_t)st.st_size;
  unsigned char *b = malloc(LWS_PRE + size + 1);
  if (!b || fread(b + LWS_PRE, 1, size, f) != size) {
    free(b);
    fclose(f);
    return 500;
  }
  fclose(f);
  *buf = b;
  *len = size;
  return 0;
}

static void respond_not_built(otp_net_conn *c) {
  char page[2048];
  int n = snprintf(page, sizeof page,
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>otplab: dashboard not built</title>"
    "</head><body><h1>The dashboard is not built</h1>"
    "<p>otplab serve looked for it in <code>%s</code> and found no <code>index.html</code>.</p>"
    "<p>Build it with <code>make build</code> (or <code>cmake --build build</code>): the build bundles "
    "<code>web/</code> when <code>node</code> and <code>npm</code> are installed "
    "(<code>scripts/setup</code> installs them). Or point the server at a built copy with "
    "<code>otplab serve --web-root DIR</code>.</p>"
    "<p>The REST API works without it: <a href=\"/api/v1/operations\">/api/v1/operations</a>.</p>"
    "</body></html>",
    c->net->web_root ? c->net->web_root : "(no folder: the binary's own folder is unknown)");
  otp_net_respond(c, 503, "text/html; charset=utf-8", page, (size_t)n);
}

static void respond_plain(otp_net_conn *c, int status, const char *text) {
  otp_net_respond(c, status, "text/plain; charset=utf-8", text, strlen(text));
}

void otp_net_serve_static(otp_net_conn *c) {
  otp_net *net = c->net;
  if (strcmp(c->method, "GET") != 0 && strcmp(c->method, "HEAD") != 0) {
    respond_plain(c, 405, "405: the dashboard's files are read with GET\n");
    return;
  }
  const char *rel = is_page_route(c->path) ? "/index.html" : c->path;
  if (!path_is_plain(rel)) {
    respond_plain(c, 404, "404: no such file\n");
    return;
  }
  unsigned char *buf = NULL;
  size_t len = 0;
  int status = net->web_root ? read_file(net->web_root, rel, &buf, &len) : 404;
  if (status == 0) {
    otp_net_respond_owned(c, 200, mime_type(rel), buf, len);
  } else if (strcmp(rel, "/index.html") == 0) {
    respond_not_built(c);
  } else {
    respond_plain(c, status, status == 404 ? "404: no such file\n" : "500: the file cannot be read\n");
  }
}
