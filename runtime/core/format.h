/*
** Readable text for any value, as a learner would write it:
** {"EXIT", <0.42.0>, "normal"}.  Never calls metamethods.
*/
#ifndef OTP_FORMAT_H
#define OTP_FORMAT_H

#include <lua.h>

/* Pushes the text for the value at idx (strings quoted unless top_bare). */
void otp_format(lua_State *L, int idx, int top_bare);

/* Pushes an exit reason in words: "normal", "crashed: <error>\n<traceback>"... */
void otp_format_reason(lua_State *L, int idx);

#endif
