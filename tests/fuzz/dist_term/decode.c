/*
** decode.c
** libFuzzer target for the decoder of Erlang terms from other nodes
** (runtime/dist/term_check.c, then dist_term.c): any bytes must decode to
** Lua values or to the error value, never crash, hang, leak or read outside
** the buffer. The input is one term in the external format, with or
** without its version byte. Built by scripts/fuzz with clang
** -fsanitize=fuzzer,address,undefined; seeds.c writes its seed corpus.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lua.h>
#include "core/node.h"
#include "lua/lotp.h"
#include "dist/dist_term.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static otp_node *node;   /* one node for the whole run */
  static unsigned runs;
  if (node == NULL) {
    char err[256];
    node = otp_node_new(NULL, err, sizeof err);
    if (node == NULL) {
      fprintf(stderr, "decode: %s\n", err);
      abort();
    }
  }
  /* a copy of exactly size bytes: ASan sees any read past the end */
  char *buf = malloc(size ? size : 1);
  if (!buf) abort();
  memcpy(buf, data, size);
  size_t at = size && (unsigned char)buf[0] == 131 ? 1 : 0;
  size_t start = at;
  if (otp_dist_check_term(buf, size, &at) == 0) {
    if (at > size || at <= start) abort();      /* the walk stays inside and moves */
    otp_dist_ctx cx = {node, "fuzz@localhost", 1};
    lua_State *L = node->L;
    int top = lua_gettop(L);
    int index = (int)start;
    otp_dist_push_term(&cx, L, buf, &index);
    if ((size_t)index != at) abort();           /* the decoder ends where the walk did */
    lua_settop(L, top);
  }
  free(buf);
  if (++runs % 256 == 0) lua_gc(node->L, LUA_GCCOLLECT);
  return 0;
}
