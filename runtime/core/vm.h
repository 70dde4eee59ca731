/*
** A Lua state of the node: the main one, or a sandbox's.  Each has its own
** heap and allocator account, base globals, pid/ref intern tables, name
** registry, message store and timers; a process is a coroutine of exactly
** one of them.  Values never move between states by reference: they are
** copied (core/copy.c within a state, core/xcopy.c between states).
*/
#ifndef OTP_VM_H
#define OTP_VM_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include "core/alloc.h"
#include "core/idmap.h"

struct otp_node;
struct otp_sandbox;

/* flags: a sandbox's restricted library (see env.c), and what it may have back */
enum { OTP_VM_SANDBOX = 1, OTP_VM_ALLOW_IO = 2, OTP_VM_ALLOW_OS = 4 };

typedef struct otp_vm {
  lua_State *L;
  struct otp_node *node;
  struct otp_sandbox *sandbox;   /* NULL for the node's main state */
  unsigned flags;                /* OTP_VM_* */
  /* a sandbox's, set when it opens the state (the main state: 0, NULL) */
  uint32_t sandbox_id;           /* for the tracer's sandbox filter */
  const char *name;              /* for log lines and limit_killed events */
  uint64_t max_reductions;       /* per process per second; 0 = no limit */
  uint64_t limit_kills;          /* processes stopped by this state's limits */

  /* memory */
  otp_pool pool;
  size_t mem_total;              /* bytes allocated in this state */
  size_t max_memory;             /* cap for this state (0: only the node's) */
  uint32_t nprocs;               /* live processes of this state */
  uint32_t timers_pending;       /* its send_after/start_timer not yet fired or cancelled */
  otp_idmap timers;              /* those timers by ref id */

  /* this state's share of otp.statistics (a sandbox sees only its own) */
  uint64_t reductions, reductions_seen, context_switches, messages_sent;
  int gc_after_kill;             /* a limit kill left garbage to collect */
  /* the collector's mode and the heap band where it holds (see gc.h) */
  int gc_incremental;
  size_t gc_band_lo, gc_band_hi;

  /* released registry slots of processes (see anchor.c) */
  int *anchor_free;
  size_t anchor_nfree, anchor_cap;

  /* registry references to this state's tables */
  int base_ref;        /* shared, read-only globals */
  int env_mt_ref;      /* metatable of every process's globals */
  int exit_mt_ref;     /* metatable of exit exceptions */
  int pids_ref;        /* weak serial -> pid userdata */
  int refs_ref;        /* weak id -> ref userdata */
  int names_ref;       /* registered name -> pid */
  int shared_ref;      /* weak set of tables shared by every process */
  int atoms[4];        /* registry slots of constant strings (atom.h) */
  const void *pid_mt, *ref_mt;  /* metatables of pids and refs, by address */
  int pid_mt_ref, ref_mt_ref;
} otp_vm;

/* The state a thread belongs to, and its node. */
#define otp_vm_of(L) (*(otp_vm **)lua_getextraspace(L))
#define otp_node_of(L) (otp_vm_of(L)->node)

/* Opens vm's Lua state with the runtime and the otp module loaded (flags:
** OTP_VM_*). Returns 0, or -1 with a message in err. */
int otp_vm_open(otp_vm *vm, struct otp_node *node, struct otp_sandbox *sandbox,
                unsigned flags, char *err, size_t errlen);
/* Closes the state and frees every block it held. Its processes must be
** gone. */
void otp_vm_close(otp_vm *vm);

#endif
