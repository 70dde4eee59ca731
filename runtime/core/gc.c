/*
** The collector's mode and pace for a state (see gc.h).
*/
#include <lua.h>
#include "core/gc.h"
#include "core/node.h"

/* A heap this large runs the incremental collector: a major generational
** collection of it would stop the node for hundreds of milliseconds. */
#define HEAP_LARGE ((size_t)256 << 20)
/* ... or a quarter of its cap, but no state this small: its emergency
** collections cost nothing. */
#define HEAP_LARGE_AT_LEAST ((size_t)4 << 20)
/* The incremental pause, in percent: a new cycle starts when the heap has
** grown to this share of what the last one kept (Lua's default is 200). */
#define PAUSE_MAX 200
#define PAUSE_MIN 110
/* Near a cap, a cycle starts once the heap reaches this share of it. */
#define CAP_SHARE 0.75

/* the tighter of the node's cap and the state's own (0: none) */
static size_t cap_of(const otp_vm *vm) {
  size_t cap = vm->node->cfg.max_memory;
  if (vm->max_memory && (!cap || vm->max_memory < cap)) cap = vm->max_memory;
  return cap;
}

static size_t large_heap(size_t cap) {
  size_t large = HEAP_LARGE;
  if (cap && cap / 4 < large) large = cap / 4;
  return large < HEAP_LARGE_AT_LEAST ? HEAP_LARGE_AT_LEAST : large;
}

static int pause_for(size_t heap, size_t cap) {
  if (!cap || !heap) return PAUSE_MAX;
  double pause = (double)cap * CAP_SHARE * 100.0 / (double)heap;
  return pause > PAUSE_MAX ? PAUSE_MAX : pause < PAUSE_MIN ? PAUSE_MIN : (int)pause;
}

static void say_mode(const otp_vm *vm, size_t heap) {
  otp_log(vm->node, OTP_LOG_INFO, "%s%s: %zu MB in use, collector %s",
          vm->name ? "sandbox " : "the node's main state", vm->name ? vm->name : "",
          heap >> 20, vm->gc_incremental ? "incremental" : "generational");
}

static void stay_generational(otp_vm *vm, size_t large) {
  vm->gc_band_lo = 0;
  vm->gc_band_hi = large;
}

void otp_gc_retune(otp_vm *vm) {
  size_t heap = vm->mem_total, cap = cap_of(vm), large = large_heap(cap);
  if (!vm->gc_incremental) {
    if (heap <= large) {
      stay_generational(vm, large);
      return;
    }
    vm->gc_incremental = 1;
    say_mode(vm, heap);
  } else if (heap < large / 2) {    /* half the way back: no switching to and fro */
    vm->gc_incremental = 0;
    lua_gc(vm->L, LUA_GCGEN, 0, 0);
    say_mode(vm, heap);
    stay_generational(vm, large);
    return;
  }
  lua_gc(vm->L, LUA_GCINC, pause_for(heap, cap), 0, 0);
  size_t lo = heap - heap / 8;
  vm->gc_band_lo = lo > large / 2 ? lo : large / 2;
  vm->gc_band_hi = heap + heap / 8;
}
