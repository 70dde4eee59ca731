/*
** Per-process memory accounting.
** Every block starts with a header naming the process that was charged for
** it; freeing (typically by the GC, while some other process runs) credits
** that owner if it still exists.  A process over its max_heap, or the node
** over its max_memory, gets a failed allocation; because Lua retries a failed
** allocation once after an emergency collection, the process is only marked
** for killing when the retry fails too (or never comes).  Killing is done by
** the scheduler at the next safe point, so a pcall cannot save the process.
*/
#include <stdlib.h>
#include <string.h>
#include "core/alloc.h"
#include "core/node.h"
#include "core/sched.h"

#define CHUNK_SIZE (64 * 1024)
#define CLASS_SIZE 16

#if defined(__SANITIZE_ADDRESS__)
#define USE_POOL 0      /* let AddressSanitizer see every block */
#else
#define USE_POOL 1
#endif

typedef struct header {
  otp_pid owner;     /* the process charged for the block; 0 = the node */
} header;

static otp_proc *owner_of(otp_node *node, const header *h) {
  return h->owner ? otp_proc_lookup(node, h->owner) : NULL;
}

static void credit(otp_vm *vm, const header *h, size_t size) {
  otp_node *node = vm->node;
  otp_proc *p = owner_of(node, h);
  vm->mem_total -= size;
  node->mem_total -= size;
  if (p) {
    p->memory -= size;
    node->mem_procs -= size;
  }
}

static void charge(otp_vm *vm, header *h, otp_proc *p, size_t size) {
  otp_node *node = vm->node;
  vm->mem_total += size;
  node->mem_total += size;
  if (p) {
    p->memory += size;
    node->mem_procs += size;
    h->owner = p->pid;
  } else {
    h->owner = OTP_PID_NONE;
  }
}

/* Pool class of a block holding size bytes plus its header (0 = too big). */
static unsigned class_of(size_t size) {
  size_t c = (size + sizeof(header) + CLASS_SIZE - 1) / CLASS_SIZE;
  return USE_POOL && c <= OTP_POOL_CLASSES ? (unsigned)c : 0;
}

static header *pool_get(otp_pool *pool, unsigned c) {
  void *b = pool->free[c];
  if (b) {
    pool->free[c] = *(void **)b;
    return b;
  }
  size_t size = (size_t)c * CLASS_SIZE;
  if ((size_t)(pool->carve_end - pool->carve) < size) {
    char *chunk = malloc(CHUNK_SIZE);
    if (!chunk) return NULL;
    *(void **)chunk = pool->chunks;     /* the first 16 bytes link the chunks */
    pool->chunks = chunk;
    pool->carve = chunk + CLASS_SIZE;
    pool->carve_end = chunk + CHUNK_SIZE;
  }
  b = pool->carve;
  pool->carve += size;
  return b;
}

static void pool_put(otp_pool *pool, unsigned c, header *h) {
  *(void **)h = pool->free[c];
  pool->free[c] = h;
}

void otp_pool_free_all(otp_pool *pool) {
  while (pool->chunks) {
    void *next = *(void **)pool->chunks;
    free(pool->chunks);
    pool->chunks = next;
  }
  memset(pool, 0, sizeof *pool);
}

static void release(otp_pool *pool, header *h, size_t size) {
  unsigned c = class_of(size);
  if (c) pool_put(pool, c, h);
  else free(h);
}

/* A block for nsize bytes holding the osize bytes of h (h may be NULL). */
static header *resize(otp_pool *pool, header *h, size_t osize, size_t nsize) {
  unsigned oc = h ? class_of(osize) : 0, nc = class_of(nsize);
  if (h && oc == nc && oc) return h;
  if (!oc && !nc) return realloc(h, nsize + sizeof(header));
  header *nh = nc ? pool_get(pool, nc) : malloc(nsize + sizeof(header));
  if (!nh) return NULL;
  if (h) {
    memcpy(nh, h, sizeof(header) + (osize < nsize ? osize : nsize));
    release(pool, h, osize);
  }
  return nh;
}

/* Would growing p's account by delta break a limit? Which one. */
static inline __attribute__((always_inline)) int over_limit(otp_node *node, otp_proc *p,
                                                          size_t delta) {
  if (p->max_heap && p->memory + delta > p->max_heap) return OTP_LIMIT_HEAP;
  if (p->vm->max_memory && p->vm->mem_total + delta > p->vm->max_memory)
    return OTP_LIMIT_STATE;
  if (node->cfg.max_memory && node->mem_total + delta > node->cfg.max_memory)
    return OTP_LIMIT_NODE;
  return 0;
}

static void doom(otp_node *node, otp_proc *p) {
  p->oom_strike = 0;
  if (!p->limit_hit) p->limit_hit = OTP_LIMIT_HEAP;
  otp_sched_kill_soon(node, p, OTP_KILL_HEAP);
}

/* The slow path of a growth by p over a limit, or after a failure: may the
** allocation of nsize bytes go ahead? Keeps the strike rule (see top). */
static __attribute__((noinline)) int may_grow(otp_node *node, otp_proc *p,
                                              size_t delta, size_t nsize) {
  int limit = over_limit(node, p, delta);
  if (limit) {
    p->limit_hit = (uint8_t)limit;
    if (node->charge_forced) {       /* a receiver: the sender must not fail */
      doom(node, p);
      return 1;
    }
    if (p->oom_strike && p->oom_size == nsize) {  /* the retry after GC failed too */
      doom(node, p);
      return 0;
    }
    if (p->oom_strike) doom(node, p);
    p->oom_strike = 1;
    p->oom_size = nsize;
    return 0;
  }
  if (p->oom_size == nsize) {        /* the retry succeeded */
    p->oom_strike = 0;
    p->limit_hit = 0;
  } else {
    doom(node, p);                   /* the failure was never retried: it stood */
  }
  return 1;
}

/* A freed block: its owner gets the bytes back. */
static void *free_block(otp_vm *vm, header *h, size_t osize) {
  credit(vm, h, osize);
  release(&vm->pool, h, osize);
  return NULL;
}

/* The process charged for vm's allocations now, if it belongs to vm: work
** done in one state for a process of another is the state's own. */
static inline otp_proc *charged_in(const otp_vm *vm) {
  otp_proc *p = vm->node->charge;
  return p && p->vm == vm ? p : NULL;
}

/* A new block belongs to the charged process, within its limits. */
static void *new_block(otp_vm *vm, size_t nsize) {
  otp_node *node = vm->node;
  otp_proc *p = charged_in(vm);
  if (p && (p->oom_strike || over_limit(node, p, nsize)) && !may_grow(node, p, nsize, nsize))
    return NULL;
  unsigned c = class_of(nsize);
  header *h = c ? pool_get(&vm->pool, c) : malloc(nsize + sizeof(header));
  if (!h) return NULL;
  charge(vm, h, p, nsize);
  return h + 1;
}

/* A resized block keeps its owner (a shared table that grows stays the
** node's); only the charged process's own blocks are held to its limits. */
static __attribute__((noinline)) void *resize_block(otp_vm *vm, header *h, size_t osize,
                                                    size_t nsize) {
  otp_node *node = vm->node;
  otp_proc *p = charged_in(vm);
  otp_proc *owner = owner_of(node, h);
  if (owner && owner == p && nsize > osize &&
      (p->oom_strike || over_limit(node, p, nsize - osize)) &&
      !may_grow(node, p, nsize - osize, nsize))
    return NULL;
  header *nh = resize(&vm->pool, h, osize, nsize);
  if (!nh) return NULL;
  credit(vm, nh, osize);
  charge(vm, nh, owner, nsize);
  return nh + 1;
}

int otp_checkstack_own(lua_State *L, int n) {
  otp_node *node = otp_node_of(L);
  otp_proc *charge = node->charge;
  int forced = node->charge_forced;
  node->charge = node->current;
  node->charge_forced = 0;
  int ok = lua_checkstack(L, n);
  node->charge = charge;
  node->charge_forced = forced;
  return ok;
}

/* Frees and new blocks, nearly every call, take the short ways. */
void *otp_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  otp_vm *vm = ud;
  if (nsize == 0) return ptr ? free_block(vm, (header *)ptr - 1, osize) : NULL;
  if (!ptr) return new_block(vm, nsize);   /* osize is a type tag */
  return resize_block(vm, (header *)ptr - 1, osize, nsize);
}
