/*
** A node: one libuv loop, one scheduler and the process table, over its main
** Lua state and the states of its sandboxes.  All mutable runtime state
** lives here; there are no other globals.
*/
#ifndef OTP_NODE_H
#define OTP_NODE_H

#include <stdatomic.h>
#include <stdint.h>
#include <pthread.h>
#include <lua.h>
#include <uv.h>
#include "core/alloc.h"
#include "core/clock.h"
#include "core/proc.h"
#include "core/rand.h"
#include "core/vm.h"

struct otp_trace_state;
struct otp_sandbox;
struct otp_dist_ops;
struct otp_remote;

typedef enum {
  OTP_LOG_NONE, OTP_LOG_ERROR, OTP_LOG_WARNING, OTP_LOG_INFO, OTP_LOG_DEBUG
} otp_log_level;

typedef struct otp_node_config {
  int reductions;          /* 0: watchdog preemption; N > 0: count hook every N instructions */
  unsigned slice_ms;       /* watchdog time slice */
  unsigned stuck_ms;       /* time a process may spend in a non-yieldable call */
  unsigned sandbox_stuck_ms; /* the same for sandboxed processes: a few slices at most */
  size_t max_memory;       /* whole node; the allocating process is killed beyond it (0 = none) */
  size_t default_max_heap; /* per process when spawn_opt gives none (0 = none) */
  otp_log_level log_level;
  int trace_ring;          /* events `otplab run`/`test` keep for failure reports (0 = none) */
  uint64_t seed;           /* drives every choice otplab makes (see rand.h) */
  int seeded;              /* seed was given (--seed); else one is drawn at node creation */
  int virtual_time;        /* the clock jumps to the next deadline when nothing runs (clock.h) */
  int perturb;             /* explore: seeded slice lengths and run-queue choices (sched.c) */
} otp_node_config;

void otp_node_config_defaults(otp_node_config *cfg);

/* How many released process and monitor records a node keeps for reuse;
** none under AddressSanitizer, which should see every record freed. */
#if defined(__SANITIZE_ADDRESS__)
#define OTP_KEEP_RECORDS 0
#else
#define OTP_KEEP_RECORDS 256
#endif

typedef struct otp_node {
  otp_vm main;               /* the main state: scripts, console, host */
  lua_State *L;              /* main.L */
  uv_loop_t loop;
  uv_idle_t poll_anyway;      /* active while the loop is polled between slices */
  otp_node_config cfg;

  /* process table */
  otp_proc **procs;
  uint32_t nslots, nprocs;
  uint32_t *free_slots;
  uint32_t nfree;
  uint64_t next_serial, next_ref;

  /* scheduler */
  otp_proc *rq_head, *rq_tail;   /* runnable processes of the main state */
  otp_proc *sb_head, *sb_tail;   /* runnable processes of sandboxes */
  uint32_t rq_len;               /* both queues */
  int sb_turn;                   /* the last slice went to a sandbox */
  otp_proc *dying_head, *dying_tail;
  otp_proc *current;         /* the process whose code is running, or NULL */
  otp_proc *charge;          /* who pays for allocations, usually current */
  int charge_forced;         /* charge is a receiver: never fail, only flag */
  uint64_t slice_start_ns;
  uint64_t slice_c_work;     /* steps of resumable C work in this slice (sched.c) */
  otp_pid slice_pid;         /* whose slice started at slice_start_ns */
  uint8_t slice_group;       /* and its cpu_group */
  otp_msg *msg_free;
  /* released records kept for reuse (a malloc and a free each otherwise) */
  struct otp_monitor *monitor_free;  /* released monitor records (signal.c) */
  uint32_t monitor_nfree;
  otp_proc *proc_free;       /* released process records (proc.c) */
  uint32_t proc_nfree;

  /* time (clock.h): every deadline on one heap, one uv timer in real time */
  otp_deadline **heap;
  uint32_t heap_len, heap_cap;
  uint64_t heap_seq;
  uv_timer_t clock_timer;
  int clock_armed;
  uint64_t clock_due;
  uint64_t vclock_ns;        /* the virtual clock */
  /* other OS processes that may still wake a process (peer nodes starting or
  ** running, host/peer.c): while any is held, virtual time waits for them in
  ** real time up to its next deadline instead of jumping (clock.h), and
  ** reads what they send only when no process can run (node.c) */
  uint32_t outside_holds;

  otp_rand rand;             /* the node's generator (rand.h), from cfg.seed */

  /* preemption watchdog (see sched.c) */
  _Atomic(lua_State *) running_thread;
  atomic_uint_fast64_t slice_gen;
  atomic_int busy;
  atomic_int watchdog_stop;
  pthread_t watchdog, main_thread;
  pthread_mutex_t wd_lock;
  pthread_cond_t wd_cond;
  int watchdog_started;

  /* memory: every state's blocks together (mem_procs: charged to
  ** processes), and the C records kept outside every Lua state
  ** (mem_proc_records: those of processes, their messages and links, as
  ** erlang:memory(processes) counts BEAM's process structures) */
  size_t mem_total, mem_procs;
  size_t mem_records, mem_proc_records;

  /* statistics */
  uint64_t reductions_total, reductions_seen;
  uint64_t group_us[OTP_CPU_GROUPS];  /* microseconds of slices per cpu_group */
  uint64_t context_switches, messages_sent;
  uint64_t timers_pending;        /* send_after/start_timer not yet fired or cancelled */
  void *timer_cache;              /* freed timer blocks kept for reuse (timer.c) */
  uint32_t timer_cache_n;
  uint64_t started_ns;

  /* given by the layers above the core (see otp_node_create) */
  lua_CFunction open_library;             /* opens the library of a new state */
  void (*close_states)(struct otp_node *); /* closes states opened above (sandboxes) */

  /* distribution (core/dist_ops.h): set by dist/ while the node has a
  ** name, NULL otherwise */
  const struct otp_dist_ops *dist_ops;
  struct otp_remote *remote;            /* pids and refs of other nodes (core/remote.h) */

  /* sandboxes (sandbox/sandbox.h) */
  struct otp_sandbox *sandboxes;
  uint32_t next_sandbox_id;

  /* otp.fault (lua/lfault.c): drop rules in the main state's registry */
  int fault_rules_ref;       /* the rule list, or 0 */
  uint32_t fault_rules;      /* how many: 0 keeps the send path free of faults */
  struct otp_delay_pair *delays;  /* pairs with held messages (delay.h) */

  /* the trace point (trace/trace.h) and the sessions behind it */
  uint32_t trace_mask;
  const struct otp_trace_ops *trace_ops;  /* NULL until a session attaches */
  struct otp_trace_state *trace;

  /* the first process (the script): its exit ends the node */
  otp_pid first;
  int done;
  int first_exit_ref;
  otp_pid first_killed_by_link;  /* the linked process whose exit killed it, if so */
} otp_node;

/* The process for pid, also one that is exiting and not yet finalised. */
static inline otp_proc *otp_proc_lookup(otp_node *node, otp_pid pid) {
  uint32_t slot = otp_pid_slot(pid);
  otp_proc *p = slot < node->nslots ? node->procs[slot] : NULL;
  return p && p->pid == pid ? p : NULL;
}

/* The live (not exiting) process for pid, or NULL. */
static inline otp_proc *otp_proc_get(otp_node *node, otp_pid pid) {
  otp_proc *p = otp_proc_lookup(node, pid);
  return p && otp_proc_alive(p) ? p : NULL;
}

/* A C record of size bytes was made (add) or released (sub): see
** mem_records; the proc_ pair for a record that is part of a process
** (otp_proc_record_bytes counts them). */
static inline void otp_records_add(otp_node *node, size_t size) {
  node->mem_records += size;
}
static inline void otp_records_sub(otp_node *node, size_t size) {
  node->mem_records -= size;
}
static inline void otp_proc_records_add(otp_node *node, size_t size) {
  node->mem_records += size;
  node->mem_proc_records += size;
}
static inline void otp_proc_records_sub(otp_node *node, size_t size) {
  node->mem_records -= size;
  node->mem_proc_records -= size;
}

/* Creates a node with its main Lua state: the standard libraries, the
** runtime's tables, and then open_library (called in every state the node
** opens, the sandboxes' too; the bindings' luaopen_otp, see
** lua/lotp.h's otp_node_new). Returns NULL (with a message in err) on
** failure. */
otp_node *otp_node_create(const otp_node_config *cfg, lua_CFunction open_library,
                          char *err, size_t errlen);
/* Returns 0, or -1 if handles were still open on the loop (a leak). */
int otp_node_free(otp_node *node);

/* Runs until the first process has exited (or nothing can ever run again).
** Returns 0 if the first process exited normal, 1 otherwise. */
int otp_node_run(otp_node *node);

/* Loads FILE as the first process with the given arguments.
** Returns 0, or -1 with an error message pushed on node->L. */
int otp_node_start_file(otp_node *node, const char *path, int argc, char **argv);

/* Writes a log line to stderr if level is enabled. */
void otp_log(otp_node *node, otp_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

uint64_t otp_now_ns(void);

#endif
