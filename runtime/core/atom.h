/*
** Atoms: the strings the runtime puts into messages and reasons over and
** over ("DOWN", "process", "normal", "EXIT"), one registry slot each per
** state. Pushing one is a raw get of an array slot, where lua_pushstring
** would look the string up again (strlen, its cache, a strcmp) every time.
*/
#ifndef OTP_ATOM_H
#define OTP_ATOM_H

#include <lua.h>
#include "core/vm.h"

typedef enum {
  OTP_ATOM_DOWN, OTP_ATOM_PROCESS, OTP_ATOM_NORMAL, OTP_ATOM_EXIT,
  OTP_ATOM__COUNT
} otp_atom;

/* Makes vm's atoms (when its state is set up). */
void otp_atom_init(lua_State *L, otp_vm *vm);

/* Pushes atom a of L's state. */
#define otp_push_atom(L, a) lua_rawgeti((L), LUA_REGISTRYINDEX, otp_vm_of(L)->atoms[(a)])

#endif
