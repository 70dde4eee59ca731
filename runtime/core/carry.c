/*
** Carrying values between states.
*/
#include "core/carry.h"
#include "core/copy.h"
#include "core/vm.h"
#include "core/xcopy.h"

otp_carry otp_carry_begin(lua_State *from, int idx, otp_vm *vm) {
  idx = lua_absindex(from, idx);
  if (otp_vm_of(from) == vm) return (otp_carry){from, idx, -1};
  lua_State *L = vm->L;
  otp_carry c = {L, 0, lua_gettop(L)};
  /* a failed decode leaves its error message, which then stands in */
  otp_xmove(from, idx, 1, L, OTP_COPY_LENIENT, "reason", 0);
  c.idx = lua_gettop(L);
  return c;
}

void otp_carry_end(const otp_carry *c) {
  if (c->top >= 0) lua_settop(c->L, c->top);
}

void otp_carry_top(lua_State *T, lua_State *L, const char *lost) {
  if (otp_vm_of(T) == otp_vm_of(L)) {
    if (T != L) lua_xmove(T, L, 1);
    return;
  }
  if (otp_xmove(T, -1, 1, L, OTP_COPY_LENIENT, "value", 0) != LUA_OK) {
    lua_pop(L, 1);
    lua_pushstring(L, lost);
  }
  lua_pop(T, 1);
}
