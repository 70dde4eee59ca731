/*
** seeds.c
** Writes the seed corpus of the xcopy decoder target: the encodings of a set
** of messages (message mode) and of spawn arguments (spawn mode: functions,
** shared upvalues, modules), one file each, into DIR. The corpus is made
** from this list at fuzz time rather than committed as binary files.
**   usage: xcopy_seeds DIR
*/
#include <stdio.h>
#include <stdlib.h>
#include <lua.h>
#include <lauxlib.h>
#include "core/node.h"
#include "lua/lotp.h"
#include "core/xcopy.h"

typedef struct seed { otp_copy_mode mode; const char *code; } seed;

static const seed seeds[] = {
  {OTP_COPY_MESSAGE, "return nil, true, false, 0, 63, 64, -1, math.mininteger, math.maxinteger"},
  {OTP_COPY_MESSAGE, "return 0.5, -0.0, 1/0, 0/0, 1e308"},
  {OTP_COPY_MESSAGE, "return '', 'short', string.rep('long', 40), 'a\\0b\\255'"},
  {OTP_COPY_MESSAGE, "return {1, 2, 3, nil, 5}, {x = 1, y = {z = 'w'}}"},
  {OTP_COPY_MESSAGE, "local t = {1}; t.self = t; t[2] = t; return t"},
  {OTP_COPY_MESSAGE, "local s = {}; return {s, s, {s}}"},
  {OTP_COPY_MESSAGE, "local t = {} for i = 1, 20 do t = {t, i} end return t"},
  {OTP_COPY_MESSAGE, "return {[true] = 1, [0.5] = 2, [-3] = 3, ['1'] = 4}"},
  {OTP_COPY_MESSAGE, "return {'EXIT', 'normal'}, {'DOWN', 'process', {'shutdown', 'x'}}"},
  {OTP_COPY_SPAWN, "return function(a) return a + 1 end, 41"},
  {OTP_COPY_SPAWN, "local n = 0; local function inc() n = n + 1 return n end; "
                   "local function get() return n end; return inc, get"},
  {OTP_COPY_SPAWN, "local t = {k = 1}; return function() return t, string.rep end"},
  {OTP_COPY_SPAWN, "return string, table.concat, setmetatable({}, {__index = {}})"},
  {OTP_COPY_SPAWN, "local up = {1, 2}; return function() return up end, up"},
  {OTP_COPY_SPAWN, "return print, _ENV, function() return x end"},
  {OTP_COPY_LENIENT, "return {'error', print, coroutine.create(print)}"},
};

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  char err[256];
  otp_node *node = otp_node_new(NULL, err, sizeof err);
  if (node == NULL) {
    fprintf(stderr, "xcopy_seeds: %s\n", err);
    return 1;
  }
  lua_State *L = node->L;
  int written = 0;
  for (size_t i = 0; i < sizeof seeds / sizeof *seeds; i++) {
    int top = lua_gettop(L);
    if (luaL_dostring(L, seeds[i].code) != LUA_OK) {
      fprintf(stderr, "xcopy_seeds: seed %zu: %s\n", i, lua_tostring(L, -1));
      return 1;
    }
    otp_xbuf *b = otp_xencode(L, top + 1, lua_gettop(L) - top, seeds[i].mode, "seed");
    char path[4096];
    snprintf(path, sizeof path, "%s/seed-%02zu", argv[1], i);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(otp_xbuf_data(b), 1, otp_xbuf_size(b), f) != otp_xbuf_size(b) ||
        fclose(f) != 0) {
      fprintf(stderr, "xcopy_seeds: cannot write %s\n", path);
      return 1;
    }
    otp_xbuf_free(b);
    lua_settop(L, top);
    written++;
  }
  otp_node_free(node);
  printf("xcopy_seeds: %d seeds in %s\n", written, argv[1]);
  return 0;
}
