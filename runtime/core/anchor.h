/*
** Registry slots for the values a process holds (its coroutine, globals,
** pid, exit reason, label), cheaper than luaL_ref/luaL_unref: a released slot keeps `false`, so
** the registry has no hole for luaL_ref's length probe to land in, and its
** index waits in a C stack of the state for the next process.
*/
#ifndef OTP_ANCHOR_H
#define OTP_ANCHOR_H
#include <lua.h>

/* Pops the value on top of L into a registry slot; returns its index, or
** LUA_REFNIL for nil (which lua_rawgeti of it gives back), as luaL_ref. */
int otp_anchor(lua_State *L);

/* Gives the slot back (LUA_NOREF and LUA_REFNIL: nothing to do). */
void otp_unanchor(lua_State *L, int ref);

/* Frees the state's list of released slots (at otp_vm_close). */
struct otp_vm;
void otp_anchor_free(struct otp_vm *vm);

#endif
