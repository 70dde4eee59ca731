/*
** Sandboxes: named groups of processes living in a Lua state of their own
** (own heap, collector, allocator cap, restricted library and names), with
** limits on memory, process count and CPU.  Destroying one stops its
** processes (its watchers get their DOWN and EXIT signals) and closes its
** state, which returns every byte it held.
*/
#ifndef OTP_SANDBOX_H
#define OTP_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include "core/pid.h"
#include "core/vm.h"

struct otp_node;
struct otp_proc;

/* Pending timers a sandbox may have when max_timers is not given: each one
** holds memory outside the sandbox's heap and a libuv handle. */
#define OTP_SANDBOX_DEFAULT_MAX_TIMERS 10000

typedef struct otp_sandbox_limits {
  uint32_t max_processes;      /* live processes at once; 0 = no limit */
  size_t max_memory;           /* bytes of the whole state; 0 = no limit */
  uint64_t max_reductions;     /* per process per second; 0 = no limit */
  uint32_t max_timers;         /* pending send_after/start_timer; 0 = the default */
  unsigned allow;              /* OTP_VM_ALLOW_* extra library */
} otp_sandbox_limits;

typedef struct otp_sandbox {
  struct otp_sandbox *next;
  struct otp_node *node;
  char *name;
  uint32_t id;                 /* never reused; kept across restarts */
  otp_sandbox_limits limits;
  otp_vm vm;                   /* vm.L is NULL while closed */
  uint64_t opened_ns;
  uint64_t restarts;
  uint64_t limit_kills;        /* of closed incarnations; vm.limit_kills: this one */
  otp_pid root;                /* the process started with it, if any */
} otp_sandbox;

otp_sandbox *otp_sandbox_find(struct otp_node *node, const char *name);

/* Creates a sandbox with a fresh state. Returns NULL with a message in err
** (name taken, out of memory). */
otp_sandbox *otp_sandbox_create(struct otp_node *node, const char *name,
                                const otp_sandbox_limits *limits, char *err,
                                size_t errlen);

/* Kills every process of the sandbox (reason "killed"; they are finalised at
** once, so their links and monitors fire now), cancels its timers and closes
** its state. Must not be called by one of its processes. */
void otp_sandbox_close(otp_sandbox *sb);

/* Closes the state if open and opens a fresh one (restart). */
int otp_sandbox_reopen(otp_sandbox *sb, char *err, size_t errlen);

/* Closes and forgets the sandbox. */
void otp_sandbox_destroy(otp_sandbox *sb);
void otp_sandbox_destroy_all(struct otp_node *node);

/* How many pending timers the sandbox allows. */
uint32_t otp_sandbox_max_timers(const otp_sandbox *sb);

/* May one more process start in vm? 0, or -1 if its sandbox is full. */
int otp_sandbox_admit(const otp_vm *vm);

#endif
