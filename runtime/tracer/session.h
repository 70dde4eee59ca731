/*
** A trace session: which events it wants, and the bounded ring they go to.
** The session is the userdata the Lua API hands out; while active it is
** anchored in the registry and listed in the node's trace state.
*/
#ifndef OTP_TRACE_SESSION_H
#define OTP_TRACE_SESSION_H

#include <stddef.h>
#include <stdint.h>
#include "core/pid.h"

#define OTP_TRACE_SESSION_MT "otp.trace.session"
#define OTP_TRACE_MAX_SESSIONS 64
#define OTP_TRACE_DEFAULT_PAYLOAD 4096
#define OTP_TRACE_DEFAULT_QUEUE 1000

/* An event as recorded. Its Lua values (message, reason, child id, name) sit
** beside it in the session's ring table; the event's table is built only
** when somebody reads it, so recording costs a struct copy and one store. */
#define OTP_TRACE_FLAT_BYTES 26
#define OTP_TRACE_SENT 16       /* flat sends remembered for their receive */

/* The fields of the rarer events (monitors, timers, supervisors, limits),
** kept beside the ring by a session that records such events. */
typedef struct otp_trace_extra {
  uint64_t ref;
  otp_pid old_pid, new_pid;
  const char *text, *strategy;   /* static strings */
} otp_trace_extra;

/* 64 bytes, one cache line: a busy ring writes one per event. */
typedef struct otp_trace_rec {
  uint64_t seq, t_us;
  otp_pid pid, other;
  uint8_t kind, truncated;
  uint8_t values;                /* which of msg/reason/id/name it has */
  uint8_t in_ring;               /* the ring table holds a value for it */
  uint8_t flat_n;                /* msg is kept in flat (flat.c): its length */
  uint8_t extra;                 /* it has an otp_trace_extra (session's extras) */
  unsigned char flat[OTP_TRACE_FLAT_BYTES];
} otp_trace_rec;
_Static_assert(sizeof(otp_trace_rec) == 64, "a record is one cache line");

typedef struct otp_trace_session {
  int active;
  const char *stopped_because;   /* NULL, "stopped", "rate", "owner_exit" */
  uint64_t id;                   /* unique in the node, for the filter relay */
  uint32_t kinds;                /* bit per otp_trace_kind */
  int pids_mode;                 /* 0 all, 1 new, 2 listed */
  uint64_t first_new_serial;     /* pids_mode new: serials from here */
  uint32_t sandbox_id;           /* only this sandbox's processes (0: any) */
  int pids_ref;                  /* listed: set of pids */
  int ring_ref, anchor_ref;      /* ring_ref: the records' Lua values */
  otp_trace_rec *recs;           /* the ring of records, grown up to max_events */
  otp_trace_extra *extras;       /* beside recs, made by the first rarer event */
  size_t extras_cap;
  int names_ref;                 /* pid -> registered name, -pid -> label, as
                                    they were at the process's latest event */
  size_t recs_cap;
  int filter_ref;                /* the Lua filter, run by readers (LUA_NOREF) */
  size_t max_events, head, count;
  size_t head_slot;              /* head % max_events, kept without a division */
  uint64_t dropped;
  /* rate cap: at most `rate` events in any one-second window (0: none) */
  uint64_t rate, rate_window, rate_count;
  uint64_t started_ns, recorded;  /* for the events-per-second figure */
  size_t max_payload;            /* bytes of msg/reason/id copied per event */
  uint64_t truncated;            /* payloads replaced by {"truncated", n} */
  /* the subscriber: events go to `relay` (filtering process) if there is
  ** one, else straight to `to`; beyond max_queue queued they are dropped */
  otp_pid owner, to, relay;
  uint32_t max_queue;
  uint64_t dropped_to_subscriber;
} otp_trace_session;

typedef struct otp_trace_state {
  otp_trace_session *sessions[OTP_TRACE_MAX_SESSIONS];
  int nsessions;
  uint64_t seq, next_id;
  int in_flight_ref;             /* weak: a sent message -> its traced copy */
  /* the latest messages send events kept flat (flat.c), each held at its
  ** registry slot so that its address names it alone: the receive event
  ** of that very table reuses its bytes, as in_flight does for a copy; one
  ** pushed out before its receive moves to in_flight */
  struct otp_trace_sent {
    int ref;                     /* registry slot (0: none yet) */
    const void *msg;             /* NULL: free (received) */
    otp_pid to;
    uint8_t n;
    unsigned char flat[OTP_TRACE_FLAT_BYTES];
  } sent[OTP_TRACE_SENT];
  unsigned next_sent;
} otp_trace_state;

struct otp_node;
struct lua_State;

/* Activates s (already filled in, id included) and recomputes the node's
** trace mask. */
int otp_trace_attach(struct otp_node *node, otp_trace_session *s);
/* Deactivates s with the given reason. */
void otp_trace_detach(struct otp_node *node, otp_trace_session *s, const char *why);
/* The active session with this id, or NULL. */
otp_trace_session *otp_trace_find(struct otp_node *node, uint64_t id);
/* A fresh session id. */
uint64_t otp_trace_new_id(struct otp_node *node);
/* Pushes the table of the event at ring position i (head - count <= i < head). */
void otp_trace_push_event(struct lua_State *L, otp_trace_session *s, size_t i);
/* Frees the session's records (its userdata is being collected). */
void otp_trace_free_records(struct lua_State *L, otp_trace_session *s);

/* Sends the event table on top of L to s's subscriber as {"trace", event}
** (a copy), unless the subscriber already has max_queue messages queued:
** then the event is counted in dropped_to_subscriber. Pops nothing.
** Returns 1 if delivered, 0 if dropped or there is no live subscriber. */
int otp_trace_deliver(struct otp_node *node, struct lua_State *L, otp_trace_session *s,
                      otp_pid to, int ev);

/* A message that is a short array of numbers, booleans, strings and pids
** within cap, kept in r->flat (sets r->flat_n); returns the size counted
** against the cap, or 0 for anything else. */
size_t otp_trace_flat_capture(struct lua_State *L, int idx, size_t cap, otp_trace_rec *r);
/* Pushes the table of the message r keeps flat. */
void otp_trace_flat_push(struct lua_State *L, const otp_trace_rec *r);

/* Pushes a copy of the value at idx in which tables, strings and everything
** below them add up to at most cap bytes (estimated as they are copied).
** A bigger value becomes {"truncated", bytes_estimate}, the estimate being a
** lower bound. Pids and refs keep their identity; functions, threads and
** other userdata become "<function>" and the like; metatables are not kept;
** shared sub-tables and cycles survive. Returns 1 if it truncated. Never
** raises except on out-of-memory. */
int otp_trace_copy_capped(struct lua_State *L, int idx, size_t cap);

#endif
