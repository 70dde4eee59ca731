/*
** seeds.c
** Writes the seed corpus of the dist term decoder target: terms of every
** kind an Erlang node sends (atoms, integers and bignums, floats, binaries,
** strings, tuples, proper and improper lists, maps, pids, refs, ports,
** funs), encoded by ei, one file each, into DIR.
**   usage: dist_term_seeds DIR
*/
#include <stdio.h>
#include <string.h>
#include <ei.h>

static int n;

static void save(const char *dir, ei_x_buff *x) {
  char path[4096];
  snprintf(path, sizeof path, "%s/seed%02d", dir, n++);
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(x->buff, 1, (size_t)x->index, f);
    fclose(f);
  }
  ei_x_free(x);
  ei_x_new_with_version(x);
}

/* Raw bytes after the version byte (kinds ei does not encode). */
static void save_raw(const char *dir, ei_x_buff *x, const char *bytes, int len) {
  ei_x_append_buf(x, bytes, len);
  save(dir, x);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: dist_term_seeds DIR\n");
    return 2;
  }
  const char *dir = argv[1];
  ei_x_buff x;
  ei_x_new_with_version(&x);
  erlang_pid pid = {"other@host", 42, 1, 7};
  erlang_ref ref = {"other@host", 3, {1, 2, 3}, 7};
  ei_x_encode_atom(&x, "hello"); save(dir, &x);
  ei_x_encode_boolean(&x, 1); save(dir, &x);
  ei_x_encode_long(&x, 7); save(dir, &x);
  ei_x_encode_long(&x, -1000000); save(dir, &x);
  ei_x_encode_longlong(&x, (long long)1 << 62); save(dir, &x);
  ei_x_encode_ulonglong(&x, ~0ull); save(dir, &x);
  ei_x_encode_double(&x, -0.25); save(dir, &x);
  ei_x_encode_binary(&x, "bin\0ary", 7); save(dir, &x);
  ei_x_encode_string(&x, "a string"); save(dir, &x);
  ei_x_encode_pid(&x, &pid); save(dir, &x);
  ei_x_encode_ref(&x, &ref); save(dir, &x);
  ei_x_encode_tuple_header(&x, 3);
  ei_x_encode_atom(&x, "reply"); ei_x_encode_pid(&x, &pid); ei_x_encode_long(&x, 1);
  save(dir, &x);
  ei_x_encode_list_header(&x, 2);
  ei_x_encode_long(&x, 300); ei_x_encode_atom(&x, "two"); ei_x_encode_empty_list(&x);
  save(dir, &x);
  ei_x_encode_list_header(&x, 1);
  ei_x_encode_long(&x, 1); ei_x_encode_atom(&x, "improper_tail");
  save(dir, &x);
  ei_x_encode_map_header(&x, 2);
  ei_x_encode_atom(&x, "k"); ei_x_encode_double(&x, 1.5);
  ei_x_encode_tuple_header(&x, 1); ei_x_encode_long(&x, 1); ei_x_encode_long(&x, 2);
  save(dir, &x);
  static const char big[] = {111, 0, 0, 0, 9, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};       /* LARGE_BIG */
  save_raw(dir, &x, big, sizeof big);
  static const char port[] = {89, 119, 1, 'a', 0, 0, 0, 1, 0, 0, 0, 2};            /* NEW_PORT */
  save_raw(dir, &x, port, sizeof port);
  static const char fun[] = {113, 119, 1, 'm', 119, 1, 'f', 97, 2};                 /* EXPORT */
  save_raw(dir, &x, fun, sizeof fun);
  static const char bits[] = {77, 0, 0, 0, 1, 3, (char)0xe0};                        /* BIT_BINARY */
  save_raw(dir, &x, bits, sizeof bits);
  ei_x_free(&x);
  printf("%d seeds in %s\n", n, dir);
  return 0;
}
