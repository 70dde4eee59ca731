/*
** Atoms (see atom.h).
*/
#include <lauxlib.h>
#include "core/atom.h"

_Static_assert(OTP_ATOM__COUNT == sizeof ((otp_vm *)0)->atoms / sizeof(int),
               "otp_vm.atoms has a slot per atom");

static const char *const names[OTP_ATOM__COUNT] = {"DOWN", "process", "normal", "EXIT"};

void otp_atom_init(lua_State *L, otp_vm *vm) {
  for (int a = 0; a < OTP_ATOM__COUNT; a++) {
    lua_pushstring(L, names[a]);
    vm->atoms[a] = luaL_ref(L, LUA_REGISTRYINDEX);
  }
}
