/*
** What the layers below distribution ask of it, in one table: dist/ sets
** node->dist_ops when the node has a name (dist/dist.h) and clears it when
** distribution stops, so NULL means "not distributed".  The signal calls
** keep local semantics (OTP_RULES part A); a node going away is
** "noconnection" to every link and monitor across it (core/signal.h).
*/
#ifndef OTP_DIST_OPS_H
#define OTP_DIST_OPS_H

#include <stdint.h>
#include <lua.h>
#include "core/pid.h"

struct otp_node;
struct otp_monitor;

typedef struct otp_dist_ops {
  const char *name;          /* this node's "name@host" */

  /* ---- signals to processes of other nodes (core/signal.c) ---- */
  void (*send)(struct otp_node *, lua_State *L, otp_pid from, otp_pid to, int msg_idx);
  void (*link)(struct otp_node *, otp_pid from, otp_pid to);
  void (*unlink)(struct otp_node *, otp_pid from, otp_pid to);
  /* an exit signal: through a link (link = 1) or exit/2 */
  void (*exit)(struct otp_node *, lua_State *L, otp_pid from, otp_pid to, int reason_idx,
               int link);
  void (*monitor)(struct otp_node *, lua_State *L, const struct otp_monitor *m);
  void (*demonitor)(struct otp_node *, const struct otp_monitor *m);
  /* m's (local) target died with the reason at reason_idx: tell the watcher */
  void (*down)(struct otp_node *, lua_State *L, const struct otp_monitor *m, int reason_idx);

  /* ---- what the bindings call (lua/ldist.c, lmessage.c, linfo.c) ---- */
  /* Sends the value at msg_idx of L to the name at name_idx registered on
  ** node_name; raises badarg for a value that cannot cross. Never fails
  ** otherwise (A12: a message to {name, node} is dropped if nobody is there). */
  void (*send_name)(struct otp_node *, lua_State *L, int name_idx, const char *node_name,
                    int msg_idx);
  void (*push_nodes)(struct otp_node *, lua_State *L);  /* connected node names */
  /* otp.connect(node): 1 connected, -1 a bad name or refused at once, 0
  ** under way: {"$dist_connect", ref, bool} then reaches waiter */
  int (*connect)(struct otp_node *, const char *node_name, otp_pid waiter, uint64_t ref);
  /* 1 if it was connected; block_ms > 0 keeps the node out that long */
  int (*disconnect)(struct otp_node *, const char *node_name, uint64_t block_ms);
  /* otp.monitor_node: on adds one monitor ({"nodedown", node} when it goes), off removes one */
  void (*monitor_node)(struct otp_node *, const char *node_name, otp_pid pid, int on);
  /* {'$gen_call', {self, ref}, {call, M, F, Args, gl}} to {rex, node}, Args a list */
  void (*rpc)(struct otp_node *, lua_State *L, const char *node_name, int mod_idx, int fn_idx,
              int args_idx, otp_pid self, otp_pid gl, uint64_t ref);
  /* otp.spawn_on: the function at fn_idx (copied as a sandbox spawn copies
  ** it, its pids and refs translated) and the array of arguments at
  ** args_idx (as terms) to node, which answers
  ** {"$otplab_spawned", ref, pid | false, why} */
  void (*spawn)(struct otp_node *, lua_State *L, const char *node_name, otp_pid from,
                uint64_t ref, int fn_idx, int args_idx);
} otp_dist_ops;

/* This node's name: "name@host", or "nonode@nohost" when not distributed. */
static inline const char *otp_dist_ops_name(const otp_dist_ops *ops) {
  return ops ? ops->name : "nonode@nohost";
}

#endif
