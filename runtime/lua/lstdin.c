/*
** otp.stdin: a line reader on the host's standard input that never blocks
** the node (the lesson runner's shell reads with it while the lesson's
** processes keep running).
**
**   local line, why = require("otp.stdin").read_line()
**   -- a line without its "\n"; nil, "empty" if no whole line is there yet;
**   -- nil, "eof" once stdin is closed (Ctrl-D on a terminal)
**
** Only the main state has it (package.preload of a non-sandbox state): a
** sandbox must never read the host's input. Bytes of an unfinished line wait
** in a registry string between calls, so nothing is global.
*/
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <lauxlib.h>
#include "lua/lotp.h"
#include "core/vm.h"

static const char pending_key = 0;   /* its address keys the unfinished line */

/* Returns 1 if a read on fd 0 would not block. */
static int stdin_ready(void) {
  struct pollfd p = {.fd = 0, .events = POLLIN};
  return poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP));
}

static int read_line(lua_State *L) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &pending_key);
  if (lua_isstring(L, -1)) luaL_addvalue(&b);
  else lua_pop(L, 1);
  int eof = 0, done = 0;
  /* one byte at a time: never read past the line, never wait for the rest */
  while (!done && stdin_ready()) {
    char c;
    ssize_t n = read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      eof = 1;
      break;
    }
    if (c == '\n') done = 1;
    else luaL_addchar(&b, c);
  }
  luaL_pushresult(&b);
  if (done || (eof && lua_rawlen(L, -1) > 0)) {
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &pending_key);
    return 1;
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &pending_key);
  lua_pushnil(L);
  lua_pushstring(L, eof ? "eof" : "empty");
  return 2;
}

static int open_stdin(lua_State *L) {
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, read_line);
  lua_setfield(L, -2, "read_line");
  return 1;
}

void otp_stdin_register(lua_State *L) {
  if (otp_vm_of(L)->sandbox) return;
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, open_stdin);
  lua_setfield(L, -2, "otp.stdin");
  lua_pop(L, 2);
}
