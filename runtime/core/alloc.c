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
#include "core/alloc.h"
#include "core/node.h"
#include "core/sched.h"

typedef struct header {
  uint32_t slot;
  uint32_t serial;   /* low bits of the owner's serial; 0 = the node itself */
} header;

static otp_proc *owner_of(otp_node *node, const header *h) {
  if (h->serial == 0 || h->slot >= node->nslots) return NULL;
  otp_proc *p = node->procs[h->slot];
  return (p && (uint32_t)otp_pid_serial(p->pid) == h->serial) ? p : NULL;
}

static void credit(otp_node *node, const header *h, size_t size) {
  otp_proc *p = owner_of(node, h);
  node->mem_total -= size;
  if (p) {
    p->memory -= size;
    node->mem_procs -= size;
  }
}

static void charge(otp_node *node, header *h, otp_proc *p, size_t size) {
  node->mem_total += size;
  if (p) {
    p->memory += size;
    node->mem_procs += size;
    h->slot = otp_pid_slot(p->pid);
    h->serial = (uint32_t)otp_pid_serial(p->pid);
  } else {
    h->slot = 0;
    h->serial = 0;
  }
}

/* Would growing p's account by delta break a limit? */
static int over_limit(otp_node *node, otp_proc *p, size_t delta) {
  if (p->max_heap && p->memory + delta > p->max_heap) return 1;
  return node->cfg.max_memory && node->mem_total + delta > node->cfg.max_memory;
}

static void doom(otp_node *node, otp_proc *p) {
  p->oom_strike = 0;
  otp_sched_kill_soon(node, p, OTP_KILL_HEAP);
}

void *otp_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  otp_node *node = ud;
  header *h = ptr ? (header *)ptr - 1 : NULL;
  if (nsize == 0) {
    if (h) {
      credit(node, h, osize);
      free(h);
    }
    return NULL;
  }
  if (!ptr) osize = 0;   /* osize was a type tag */
  otp_proc *p = node->charge;
  if (p && nsize > osize) {
    size_t delta = nsize - osize;
    if (over_limit(node, p, delta)) {
      if (node->charge_forced)       /* a receiver: the sender must not fail */
        doom(node, p);
      else if (p->oom_strike && p->oom_size == nsize)
        { doom(node, p); return NULL; }  /* the retry after GC failed too */
      else {
        if (p->oom_strike) doom(node, p);
        p->oom_strike = 1;
        p->oom_size = nsize;
        return NULL;
      }
    } else if (p->oom_strike) {
      if (p->oom_size == nsize) p->oom_strike = 0;  /* the retry succeeded */
      else doom(node, p);   /* the failure was never retried: it stood */
    }
  }
  header *nh = realloc(h, nsize + sizeof(header));
  if (!nh) return NULL;
  if (h) credit(node, nh, osize);
  charge(node, nh, p, nsize);
  return nh + 1;
}
