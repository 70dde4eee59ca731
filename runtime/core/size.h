/*
** Sizes with units: "16MB", "512KB", "2GB", "4096B", or a plain whole
** number in the unit the caller names (megabytes on the command line,
** bytes in Lua options). Units are powers of 1024, case-insensitive.
*/
#ifndef OTP_SIZE_H
#define OTP_SIZE_H

#include <stdint.h>
#include <lua.h>

#define OTP_SIZE_MAX_BYTES ((uint64_t)1 << 44)   /* 16 TB: more than any cap needs */

/* The least each cap may be, with headroom over what was measured: an empty
** process waiting in receive owns 5,660 bytes, an empty sandbox 34,264, a
** node running one process 48 KB (otp.process_info/otp.memory). */
#define OTP_MIN_PROCESS_HEAP ((uint64_t)8 << 10)
#define OTP_MIN_SANDBOX_MEMORY ((uint64_t)64 << 10)
#define OTP_MIN_NODE_MEMORY ((uint64_t)1 << 20)

typedef enum { OTP_SIZE_OK, OTP_SIZE_MALFORMED, OTP_SIZE_TOO_BIG } otp_size_status;

/* Parses s into *bytes; a number without a unit counts in plain_unit bytes. */
otp_size_status otp_parse_size(const char *s, uint64_t plain_unit, uint64_t *bytes);

/* The size at idx (an integer of bytes or a string with a unit) for the
** option named what, at least min bytes; raises badarg in words otherwise. */
uint64_t otp_check_size(lua_State *L, int idx, const char *what, uint64_t min);

#endif
