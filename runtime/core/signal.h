/*
** Links, monitors and exit signals (OTP_RULES.md part A).
*/
#ifndef OTP_SIGNAL_H
#define OTP_SIGNAL_H

#include <lua.h>
#include "core/proc.h"
#include "core/dist_ops.h"

struct otp_node;
struct otp_vm;

typedef struct otp_monitor {
  uint64_t ref;
  otp_pid watcher, target;
  struct otp_vm *vm;            /* the watcher's state, which holds name_ref */
  int name_ref;                 /* the name it was made with, or LUA_NOREF */
  /* a local monitor's ref value, held in a registry slot of vm until the
  ** monitor goes, instead of interned: the DOWN takes it from there. It is
  ** interned only once something may look it up by id: when it leaves the
  ** state (as every ref does) or a trace record names it. LUA_NOREF: the
  ** ref is interned (monitors across nodes). */
  int ref_slot;
  int alias;                    /* the ref is also an alias of the watcher */
  uint32_t remote_node;         /* the other side's node index when one side is remote
                                ** (core/remote.h); then target (or watcher) is a remote
                                ** pid, or target is 0 for {name, node} */
  struct otp_monitor *w_next, *w_prev;   /* in the watcher's list */
  struct otp_monitor *t_next, *t_prev;   /* in the target's list */
} otp_monitor;

typedef enum {
  OTP_SIG_EXIT2,   /* exit(Pid, Reason): "kill" is untrappable */
  OTP_SIG_LINK     /* a linked process died: "kill" is an ordinary reason */
} otp_signal_kind;

/* Links two live processes (idempotent). */
void otp_link(struct otp_node *node, otp_proc *a, otp_proc *b);
/* Removes the link between a and the process b, if any (idempotent). */
void otp_unlink(struct otp_node *node, otp_proc *a, otp_pid b);

/* Watcher monitors target; pushes the monitor's ref and returns its id.
** name_idx (or 0) is the name it was monitored by, reported in DOWN. */
uint64_t otp_monitor_add(struct otp_node *node, lua_State *L, otp_proc *watcher,
                     otp_proc *target, int name_idx);
/* An alias is a ref whose otp_ref_ud.alias names the process that messages
** sent to it reach; 0 deactivates it, and so does its owner's exit (pids are
** never reused). A monitor made with {alias = true} keeps its ref an alias
** of the watcher until the monitor goes (demonitor or DOWN), as Erlang's
** {alias, demonitor}. */
/* The live process a message to the alias at idx reaches, or NULL. */
otp_proc *otp_alias_target(struct otp_node *node, lua_State *L, int idx);
/* Frees the released monitor records (node teardown). */
void otp_monitor_free_pool(struct otp_node *node);
/* Removes watcher's monitor ref; returns 1 if it was active. */
int otp_demonitor(struct otp_node *node, otp_proc *watcher, uint64_t ref);

/* Pushes what a monitor watches as DOWN names it: its pid, or {name, node}
** if it was made with a registered name. */
void otp_monitor_push_target(lua_State *L, const otp_monitor *m);
/* Pushes {name, node} for the name at name_idx, as Erlang's {Name, Node}. */
void otp_push_name_node(lua_State *L, int name_idx);

/* Delivers {"DOWN", ref, "process", who, reason} to watcher, who and reason
** being stack indices of L. */
void otp_send_down(struct otp_node *node, lua_State *L, otp_proc *watcher,
                   uint64_t ref, int who, int reason);

/* Sends an exit signal with the reason at reason_idx from `from` to `to`.
** Returns 1 if the running process (to == current) must now die: the caller
** then ends it with otp_sched_die. */
int otp_signal_exit(struct otp_node *node, lua_State *L, otp_pid from,
                    otp_proc *to, int reason_idx, otp_signal_kind kind);

/* p is being finalised with the reason at reason_idx: signal its links,
** send DOWN to its watchers, drop the monitors it held. */
void otp_signal_death(struct otp_node *node, lua_State *L, otp_proc *p,
                      int reason_idx);

/* ---- across nodes ----
** What the core asks of distribution is node->dist_ops (core/dist_ops.h);
** below, what distribution tells the core about signals from other nodes.
** The semantics stay local ones (OTP_RULES part A). */

/* a links to the remote pid r (and the other node is told). */
void otp_link_remote(struct otp_node *node, otp_proc *a, otp_pid r);
/* watcher monitors the remote pid target, or the name at name_idx (with
** target 0) on node node_idx; pushes the ref and returns its id. who_idx
** is what a DOWN names ({name, node} for a name). */
uint64_t otp_monitor_remote(struct otp_node *node, lua_State *L, otp_proc *watcher,
                            otp_pid target, uint32_t node_idx, int who_idx);

/* From another node: r links to p / unlinks from p. */
void otp_remote_linked(struct otp_node *node, otp_pid r, otp_proc *p);
void otp_remote_unlinked(struct otp_node *node, otp_pid r, otp_proc *p);
/* r's exit signal to p (link: through their link, ignored if there is none). */
void otp_remote_exit(struct otp_node *node, lua_State *L, otp_pid r, otp_proc *p,
                     int reason_idx, int link);
/* The remote r monitors p with the remote ref id ref (name_idx: the name it
** used, or 0). */
void otp_remote_monitored(struct otp_node *node, lua_State *L, otp_pid r, otp_proc *p,
                          uint64_t ref, int name_idx);
void otp_remote_demonitored(struct otp_node *node, otp_pid r, otp_proc *p, uint64_t ref);
/* The target of watcher's monitor ref (on another node) went with the
** reason at reason_idx: DOWN. */
void otp_remote_down(struct otp_node *node, lua_State *L, otp_proc *watcher, uint64_t ref,
                     int reason_idx);
/* Node node_idx is gone: "noconnection" through every link and monitor. */
void otp_remote_nodedown(struct otp_node *node, lua_State *L, uint32_t node_idx);

/* Makes allocations count against p as the receiver of a copy (never
** failing); returns the previous charge state for otp_charge_restore. */
typedef struct { otp_proc *charge; int forced; } otp_charge_state;
otp_charge_state otp_charge_receiver(struct otp_node *node, otp_proc *p);
void otp_charge_restore(struct otp_node *node, otp_charge_state s);

#endif
