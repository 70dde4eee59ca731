/*
** decode.c
** libFuzzer target for the cross-state decoder (runtime/core/xcopy.c) as it
** takes bytes from outside the process: any bytes given to
** otp_xdecode_message must decode to values or to an error, never crash,
** hang, leak or read outside the buffer. Built by scripts/fuzz with
** clang -fsanitize=fuzzer,address,undefined; its seed corpus comes from
** seeds.c (real encodings of messages and spawn arguments).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <lua.h>
#include <lauxlib.h>
#include "core/node.h"
#include "lua/lotp.h"
#include "core/xcopy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static otp_node *node;   /* one node for the whole run: a node costs ~1 ms */
  static unsigned runs;
  if (node == NULL) {
    char err[256];
    node = otp_node_new(NULL, err, sizeof err);
    if (node == NULL) {
      fprintf(stderr, "decode: %s\n", err);
      abort();
    }
  }
  lua_State *L = node->L;
  int top = lua_gettop(L);
  otp_xbuf *b = otp_xbuf_from(data, size);
  if (b == NULL) abort();
  otp_xdecode_message(L, b);
  otp_xbuf_free(b);
  lua_settop(L, top);
  if (++runs % 256 == 0) lua_gc(L, LUA_GCCOLLECT);
  return 0;
}
