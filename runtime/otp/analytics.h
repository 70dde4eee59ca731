/*
** Restart analytics (API.md section 4, otp.analytics): what every supervisor
** has restarted, kept without any registration step.
**
** The supervisor binding feeds it from the same point that emits the
** supervisor trace events (runtime/lua/lsupervisor_notes.c, one call per
** event, whether or not a trace session is attached): nothing polls.
**
** Per supervisor, keyed by its pid:
**   - a ring of the last ring_max restarts (oldest dropped first), each with
**     its monotonic time in ms, child id, old and new pid, a bounded copy of
**     the reason and the strategy;
**   - the total number of restarts ever made;
**   - the budget meter: a copy of the supervisor's own intensity counter
**     (otp_restarts, runtime/otp/restarts.h), fed with one otp_restarts_add
**     per restart the supervisor counted, exactly as the supervisor's
**     restart logic feeds its own: one per sup_restart event, plus the one
**     that broke the intensity (the sup_shutdown "reached_max_restart_
**     intensity" event).
** Dead supervisors are kept so that their history can still be read after
** they exit; only the keep_dead most recently dead ones are (older ones are
** dropped when a sweep finds newer deaths). A sweep visits every record, so
** a new supervisor triggers one only when the records have doubled since
** the last (otp_analytics_sweep_due): starting K supervisors costs O(K), not
** O(K^2), and at most about twice the live and kept-dead records exist.
**
** Pure C: no Lua. The Lua binding is runtime/lua/lanalytics.c.
*/
#ifndef OTP_ANALYTICS_H
#define OTP_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>
#include "core/pid.h"
#include "otp/restarts.h"

#define OTP_ANALYTICS_RING 1000        /* restarts kept per supervisor */
#define OTP_ANALYTICS_KEEP_DEAD 32     /* dead supervisors kept */
#define OTP_ANALYTICS_ID_MAX 64        /* bytes of a child id's text, with the NUL */
#define OTP_ANALYTICS_REASON_MAX 200   /* bytes of a reason's text, with the NUL */
#define OTP_ANALYTICS_SWEEP_MIN 64     /* records below which new ones always sweep */

typedef struct otp_restart_rec {
  int64_t t_ms;               /* monotonic milliseconds */
  otp_pid old_pid, new_pid;   /* new_pid is OTP_PID_NONE if the restart failed */
  const char *strategy;       /* a static string ("one_for_one", ...) */
  uint8_t has_id;
  char id[OTP_ANALYTICS_ID_MAX];
  char reason[OTP_ANALYTICS_REASON_MAX];
} otp_restart_rec;

typedef struct otp_sup_analytics {
  otp_pid sup;
  int dynamic;                /* a dynamic supervisor */
  otp_restart_rec *ring;      /* grows up to the analytics' ring_max */
  int cap, head, n;           /* head: the oldest entry */
  uint64_t total;             /* restarts ever */
  otp_restarts budget;        /* the supervisor's intensity counter, mirrored */
  int intensity, period;      /* as last seen */
  const char *strategy;
  uint64_t dead;              /* 0 while alive; else when it was found dead (a counter) */
} otp_sup_analytics;

typedef struct otp_analytics {
  otp_sup_analytics **sups;   /* sorted by pid */
  int n, cap;
  int ring_max, keep_dead;
  int sweep_at;               /* records at which a new supervisor sweeps */
  uint64_t deaths;
  otp_realloc_fn realloc;
  void *ud;
} otp_analytics;

void otp_analytics_init(otp_analytics *a, otp_realloc_fn fn, void *ud, int ring_max,
                        int keep_dead);
void otp_analytics_free(otp_analytics *a);

/* The record of sup, or NULL. */
otp_sup_analytics *otp_analytics_find(const otp_analytics *a, otp_pid sup);
/* The record of sup, created if missing (*created set to 1 then); NULL if out
** of memory. */
otp_sup_analytics *otp_analytics_get(otp_analytics *a, otp_pid sup, int *created);
/* The supervisor's current flags. */
void otp_analytics_set_flags(otp_sup_analytics *s, const char *strategy, int intensity,
                             int period);

/* A restart the supervisor made (and counted) at now_s (whole monotonic
** seconds, the clock the supervisor counts with): appends r to the ring
** (dropping the oldest when full) and counts it in the budget meter.
** Returns 0, -1 if out of memory (the ring is then left as it was). */
int otp_analytics_restart(otp_analytics *a, otp_sup_analytics *s, const otp_restart_rec *r,
                          int64_t now_s);
/* The restart the supervisor counted and then refused (intensity reached). */
int otp_analytics_gave_up(otp_sup_analytics *s, int64_t now_s);

/* The history: count, and the i-th entry oldest first (0 = the oldest). */
int otp_analytics_count(const otp_sup_analytics *s);
const otp_restart_rec *otp_analytics_at(const otp_sup_analytics *s, int i);
/* Restarts in the ring with t_ms > since_ms. */
int otp_analytics_count_after(const otp_sup_analytics *s, int64_t since_ms);
/* Restarts per second over the window_ms ending at now_ms (restarts with
** now_ms - window_ms < t_ms <= now_ms; at most ring_max of them are known). */
double otp_analytics_failure_rate(const otp_sup_analytics *s, int64_t now_ms,
                                  int64_t window_ms);
/* Restarts counted in the current period at now_s, as the supervisor counts
** them (otp_restarts_used). */
int otp_analytics_used(const otp_sup_analytics *s, int64_t now_s);

/* Marks the supervisors alive() says are dead, in pid order, then drops the
** oldest dead ones beyond keep_dead. O(records). */
void otp_analytics_sweep(otp_analytics *a, int (*alive)(void *ud, otp_pid pid), void *ud);
/* Whether a new supervisor should sweep: the records have doubled since the
** last sweep (always below OTP_ANALYTICS_SWEEP_MIN records). */
int otp_analytics_sweep_due(const otp_analytics *a);

/* Copies len bytes of src into dst (cap bytes with the NUL), cutting it to
** cap - 4 bytes and "..." if longer. Returns 1 if it was cut. */
int otp_analytics_copy_text(char *dst, size_t cap, const char *src, size_t len);

#endif
