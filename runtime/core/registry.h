/*
** Registered names (rule A12): one name per process, freed when it exits.
*/
#ifndef OTP_REGISTRY_H
#define OTP_REGISTRY_H

#include <lua.h>
#include "core/proc.h"

struct otp_node;

/* Registers the string at name_idx for p: 0, or -1 if the name is taken,
** -2 if p already has a name. */
int otp_registry_add(struct otp_node *node, lua_State *L, int name_idx, otp_proc *p);
/* Removes a name: 0, or -1 if it was not registered. */
int otp_registry_remove(struct otp_node *node, lua_State *L, int name_idx);
/* The live process registered under the string at name_idx, or NULL. */
otp_proc *otp_registry_find(struct otp_node *node, lua_State *L, int name_idx);
/* Drops p's name, if any. */
void otp_registry_forget(struct otp_node *node, otp_proc *p);
/* Pushes p's name or nil. */
void otp_registry_push_name(lua_State *L, otp_proc *p);

#endif
