/*
** The node's allocator: every Lua allocation is charged to a process.
** Each block carries an 8-byte header naming its owner, so memory freed later
** (by the GC, while another process runs) is credited back to the right one.
*/
#ifndef OTP_ALLOC_H
#define OTP_ALLOC_H

#include <stddef.h>

struct otp_node;

void *otp_alloc(void *ud, void *ptr, size_t osize, size_t nsize);

#endif
