/*
** The collector's mode and pace for a state, chosen from its size.
**
** Lua 5.4's generational mode is the fastest for the many small, short-lived
** tables messages are made of, and a small state stays in it. But its major
** collections stop the world (a full mark and sweep in one step) and each
** minor one walks every coroutine again, so a state holding a large heap
** (a million processes: 1.3 GB) pauses for a second at a time. Such a state
** runs the incremental collector instead, whose only step that cannot be
** split is the atomic one (about 100 ns per coroutine).
**
** Near a memory cap (the node's, or a sandbox's) the collector must start
** its cycle early enough to finish before the cap refuses an allocation:
** a refusal makes Lua run an emergency full collection, the very pause the
** incremental mode avoids. So the incremental pause (how far the heap may
** grow past what the last cycle kept) shrinks as the heap nears the cap.
*/
#ifndef OTP_GC_H
#define OTP_GC_H

#include "core/vm.h"

/* Looks again at the mode and pace of vm's collector if its heap has left
** the band where the last choice holds. Called between slices (never from
** inside the allocator or a collection). */
void otp_gc_retune(otp_vm *vm);

static inline void otp_gc_check(otp_vm *vm) {
  if (vm->mem_total > vm->gc_band_hi || vm->mem_total < vm->gc_band_lo)
    otp_gc_retune(vm);
}

#endif
