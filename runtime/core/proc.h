/*
** Processes: a Lua coroutine with its own globals, mailbox, links, monitors
** and memory account, living in the node's process table.
*/
#ifndef OTP_PROC_H
#define OTP_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <lua.h>
#include <uv.h>
#include "core/clock.h"
#include "core/pid.h"
#include "core/rand.h"

struct otp_node;
struct otp_vm;
struct otp_monitor;
struct otp_timer;

typedef enum {
  OTP_RUNNING, OTP_RUNNABLE, OTP_WAITING, OTP_SUSPENDED, OTP_EXITING
} otp_status;

/* Why a process's coroutine last returned control to the scheduler. */
typedef enum {
  OTP_YIELD_NONE, OTP_YIELD_WAIT, OTP_YIELD_PREEMPT, OTP_YIELD_DIE
} otp_yield_kind;

/* The memory limits an allocation can break. */
enum { OTP_LIMIT_NONE, OTP_LIMIT_HEAP, OTP_LIMIT_NODE, OTP_LIMIT_STATE };

/* What a selective receive knows of a queued message's first element
** without looking at it (lreceive.c): unknown yet, not a table, seen by a
** receive function (which may have kept and changed it: never trusted
** again), or 1 + lua_type of msg[1] (head and head_len: its bytes if a
** string, compared by address only, never read). */
enum { OTP_HEAD_UNKNOWN = 0, OTP_HEAD_NOT_TABLE = 255, OTP_HEAD_EXPOSED = 254 };

/* Groups whose CPU time the scheduler sums apart (node->group_us): the
** web server's processes are counted so that it can keep to its share of
** the node (net/share.c); everything else is the user's. */
enum { OTP_CPU_USER, OTP_CPU_SERVER, OTP_CPU_GROUPS };

typedef struct otp_msg {
  struct otp_msg *next, *prev;
  int ref;                        /* registry slot of the copied value (anchor.h) */
  uint8_t head_kind;              /* OTP_HEAD_* or 1 + lua_type(msg[1]) */
  otp_pid from;
  const char *head;
  size_t head_len;
} otp_msg;

typedef struct otp_proc {
  otp_pid pid;
  struct otp_node *node;
  struct otp_vm *vm;              /* the Lua state it lives in */
  lua_State *co;                  /* the process's coroutine */
  struct otp_proc *rq_next, *rq_prev;  /* run queue */
  struct otp_proc *dying_next;    /* exiting, waiting to be finalised */

  otp_msg *mq_head, *mq_tail;
  otp_msg *recv_last;             /* last message a waiting receive examined */
  otp_msg *marker;                /* receive marker: messages after it may hold marker_ref */
  uint64_t marker_ref;
  otp_pid handoff_from;           /* the sender of the message in handoff */
  otp_deadline recv_timer;        /* receive/sleep timeout */
  otp_rand *rand;                 /* math.random's state, made on first use */

  otp_pid *links;                 /* the link set (links.h) */
  struct otp_idmap *link_index;   /* their positions, once there are many */
  struct otp_monitor *monitors;      /* monitors this process holds */
  struct otp_monitor *monitored_by;  /* monitors others hold on it */
  struct otp_timer *timers_to;       /* pending timers whose destination is this pid */

  size_t memory, max_heap;
  size_t oom_size;
  uint64_t reductions;
  uint64_t cpu_second, cpu_used;  /* reductions in the current second (sandbox limit) */
  uint64_t stuck_since_ns;        /* first missed preemption in a C call */
  otp_pid parent;
  otp_pid killed_by;              /* the sender of the exit signal that killed it */

  int co_ref, env_ref, pid_ref;   /* registry anchors */
  int exit_ref;                   /* pending or final exit reason (LUA_NOREF once
                                  ** exiting: normal, see otp_proc_exit_normal) */
  int name_ref, label_ref, initial_call_ref;
  int fault_crash_ref;            /* otp.fault.crash: raise this at the next receive or yield (0: none) */
  uint32_t slow_ms;               /* otp.fault.slow: pause this long before taking each message */
  uint32_t mq_len;
  uint32_t nlinks, caplinks;

  uint8_t status;                 /* otp_status */
  uint8_t trap_exit;
  uint8_t in_runq;
  uint8_t yield_kind;             /* otp_yield_kind */
  uint8_t sched_yield;            /* the current yield is meant for the scheduler */
  uint8_t kill_pending;           /* die at the next safe point, reason in exit_ref */
  uint8_t recv_timed_out;
  uint8_t in_matcher;
  uint8_t has_marker;
  uint8_t recv_any;               /* waiting in receive() that takes any message */
  uint8_t handoff;                /* a message waits on top of co's stack */
  uint8_t oom_strike;             /* an allocation failed; see alloc.c */
  uint8_t limit_hit;              /* which limit refused it (otp_limit) */
  uint8_t hook_armed;             /* the watchdog armed the preemption hook */
  uint8_t cpu_group;              /* whose time its slices are counted as (OTP_CPU_*) */
  uint8_t killed_by_link;         /* ...killed_by's signal came through a link */
  uint8_t slow_paused;            /* that pause is over: take the message now */
  uint8_t raise_soon;             /* fault_crash_ref is an interrupt: raised at the
                                  ** next Lua instruction too (otp_sched_interrupt) */
} otp_proc;

#define otp_proc_alive(p) ((p)->status != OTP_EXITING)

/* otp_proc_get and otp_proc_lookup (pid -> process) are in node.h. */

/* Creates a process with an empty coroutine, its globals and its pid, or
** returns NULL if the process table is full. The caller puts the body
** function and its arguments on p->co, then calls otp_proc_start (or
** otp_proc_discard if that failed). */
otp_proc *otp_proc_new(struct otp_node *node, lua_State *L, otp_pid parent);
void otp_proc_start(struct otp_node *node, otp_proc *p);
void otp_proc_discard(struct otp_node *node, otp_proc *p);

/* The bytes of p's C records (its own, its queued messages', its links'),
** which process_info's memory counts beside its Lua memory. */
size_t otp_proc_record_bytes(const otp_proc *p);

/* Pushes the pid userdata of p onto L. */
void otp_proc_push_pid(lua_State *L, otp_proc *p);
/* Pushes the value p keeps at registry ref (its name, label, exit reason;
** nil for LUA_NOREF) onto L, copied if L is a thread of another state. */
void otp_proc_push_value(lua_State *L, otp_proc *p, int ref);
/* Pushes p's globals table onto L, a thread of p's state. */
void otp_proc_push_env(lua_State *L, otp_proc *p);

/* Starts the exit of p with the reason on top of L's stack (popped): p stops
** running at once (is_alive is false) and is finalised by the scheduler. */
void otp_proc_exit(otp_proc *p, lua_State *L);
/* otp_proc_exit with reason normal, for p whose function returned (p is
** alive and not running): the reason is implied, nothing is copied. */
void otp_proc_exit_normal(otp_proc *p);
/* Finalises exiting processes: links, monitors, names, memory. */
void otp_proc_reap(struct otp_node *node);
/* Frees every process, and the kept records of dead ones, without any
** signalling (node teardown). */
void otp_proc_free_all(struct otp_node *node);

/* Where p is running or waiting, as "source:line" (pushed), or nil. */
void otp_proc_push_location(lua_State *L, otp_proc *p);

#endif
