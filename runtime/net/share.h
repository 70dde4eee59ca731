/*
** The server's share of the node (share.c).  The node has one scheduler
** thread: a saturating client would otherwise take as much of it as the
** server's processes are given, and the user's processes would slow down.
** While user processes wait to run, the server's work (the loop's I/O, the
** API server, its request processes and its keeper: OTP_CPU_SERVER) is
** held to `fraction` of the node thread's CPU time; requests beyond it wait, in order, and are
** answered when the server's credit comes back.  Past a bound on waiting
** requests the newest is answered 503 with Retry-After.  While no user
** process waits, the server takes all the time it wants.
*/
#ifndef OTP_NET_SHARE_H
#define OTP_NET_SHARE_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define OTP_NET_DEFAULT_SHARE 0.15        /* --api-share */
#define OTP_NET_MAX_WAITING 512           /* requests waiting for their share */
#define OTP_NET_MAX_WAITING_BYTES (64u << 20)  /* their bodies together */

struct otp_net;
struct otp_net_conn;

typedef struct otp_net_share {
  double fraction;           /* of the node thread's CPU time while user processes wait; 1: no limit */
  double credit_ns;          /* server time it may still spend (negative: a debt) */
  double cost_ns;            /* what a request costs the node, on average */
  double held_ns;            /* estimates held for requests posted since the last update */
  double spent_sum, posted_sum;   /* the server's time and its requests, decaying */
  uint32_t posted;           /* requests posted since the last update */
  uint64_t cpu_seen;         /* the thread's CPU time when the credit was last updated */
  uint64_t seen_us;          /* node->group_us[OTP_CPU_SERVER] at that time */
  uint64_t io_ns;            /* the loop's I/O time since, not yet charged */
  uint64_t io_from_ns;       /* when the current poll phase began; 0: not counted */
  uv_prepare_t prepare;      /* prepare..check: the poll phase, where lws works */
  uv_check_t check;
  uv_idle_t drain;           /* active while requests wait: posts them as credit allows */
  int handles;               /* the three are initialised */
  struct otp_net_conn *head, *tail;   /* the waiting requests, oldest first */
  uint32_t waiting;
  size_t waiting_bytes;
  uint64_t deferred, shed;   /* requests that waited; requests answered 503 */
  uint64_t io_total_ns;      /* all poll-phase time counted */
} otp_net_share;

/* fraction in (0, 1]; starts the loop handles. */
void otp_net_share_init(struct otp_net *net, double fraction);
/* Closes the loop handles (their close callbacks run on the next turns). */
void otp_net_share_close(struct otp_net *net);
/* Posts c's complete request to the API server now, or lets it wait for
** the server's share (503 if too many wait already). */
void otp_net_share_submit(struct otp_net_conn *c);
/* c closed: it no longer waits. */
void otp_net_share_forget(struct otp_net_conn *c);

#endif
