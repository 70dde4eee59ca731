/*
** The node's allocator: every Lua allocation is charged to a process.
** Each block carries an 8-byte header naming its owner, so memory freed later
** (by the GC, while another process runs) is credited back to the right one.
** Small blocks come from per-size free lists carved out of large chunks: Lua
** frees in batches (the GC) and reuses the same sizes, which malloc's caches
** serve poorly.
*/
#ifndef OTP_ALLOC_H
#define OTP_ALLOC_H

#include <stddef.h>
#include <lua.h>

#define OTP_POOL_CLASSES 16      /* blocks of 16, 32, ... 256 bytes */

typedef struct otp_pool {
  void *free[OTP_POOL_CLASSES + 1];
  char *carve, *carve_end;       /* the unused rest of the newest chunk */
  void *chunks;                  /* every chunk, to free them at the end */
} otp_pool;

void *otp_alloc(void *ud, void *ptr, size_t osize, size_t nsize);
void otp_pool_free_all(otp_pool *pool);

/* lua_checkstack(L, n) with the growth charged to the running process, L's
** owner, whoever pays for the values being made: Lua moves a growing stack
** to a new block, which a copy charged to its receiver would otherwise hand
** to the receiver. */
int otp_checkstack_own(lua_State *L, int n);

#endif
