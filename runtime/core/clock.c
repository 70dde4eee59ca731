/*
** The node's clock and its deadline heap (see clock.h).
*/
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include "core/clock.h"
#include "core/node.h"

#define VIRTUAL_EPOCH_NS (1767225600ull * 1000000000ull)   /* 2026-01-01T00:00:00Z */

/* The node whose virtual clock answers time(2) for this OS process (see
** otp_clock_wall_override): time(2) has no context to find it by. */
static otp_node *_Atomic time_node;

int otp_clock_wall_override(uint64_t *ns) {
  otp_node *node = atomic_load(&time_node);
  if (!node) return 0;
  *ns = otp_clock_system(node);
  return 1;
}

uint64_t otp_clock_now(const otp_node *node) {
  return node->cfg.virtual_time ? node->vclock_ns : otp_now_ns();
}

uint64_t otp_clock_system(const otp_node *node) {
  if (node->cfg.virtual_time)
    return node->vclock_ns > UINT64_MAX - VIRTUAL_EPOCH_NS ? UINT64_MAX
                                                            : VIRTUAL_EPOCH_NS + node->vclock_ns;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int earlier(const otp_deadline *a, const otp_deadline *b) {
  return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->seq < b->seq);
}

static void place(otp_node *node, uint32_t i, otp_deadline *d) {
  node->heap[i] = d;
  d->idx = i;
}

static void sift_up(otp_node *node, uint32_t i) {
  otp_deadline *d = node->heap[i];
  while (i > 0) {
    uint32_t parent = (i - 1) / 2;
    if (!earlier(d, node->heap[parent])) break;
    place(node, i, node->heap[parent]);
    i = parent;
  }
  place(node, i, d);
}

static void sift_down(otp_node *node, uint32_t i) {
  otp_deadline *d = node->heap[i];
  for (;;) {
    uint32_t child = 2 * i + 1;
    if (child >= node->heap_len) break;
    if (child + 1 < node->heap_len && earlier(node->heap[child + 1], node->heap[child])) child++;
    if (!earlier(node->heap[child], d)) break;
    place(node, i, node->heap[child]);
    i = child;
  }
  place(node, i, d);
}

static void remove_at(otp_node *node, uint32_t i) {
  otp_deadline *d = node->heap[i];
  d->idx = OTP_DEADLINE_NONE;
  otp_deadline *last = node->heap[--node->heap_len];
  if (i == node->heap_len) return;
  place(node, i, last);
  sift_down(node, i);
  sift_up(node, last->idx);
}

/* ---- the one uv timer of real time ---- */

static void on_clock_timer(uv_timer_t *h);

/* Arms the uv timer for the earliest deadline (stops it if there is none). */
static void arm(otp_node *node) {
  if (node->cfg.virtual_time) return;
  if (node->heap_len == 0) {
    if (node->clock_armed) uv_timer_stop(&node->clock_timer);
    node->clock_armed = 0;
    return;
  }
  uint64_t due = node->heap[0]->due_ns;
  if (node->clock_armed && node->clock_due == due) return;
  uint64_t now = otp_now_ns();
  uint64_t ms = due > now ? (due - now + 999999u) / 1000000u : 0;
  uv_update_time(&node->loop);
  uv_timer_start(&node->clock_timer, on_clock_timer, ms, 0);
  node->clock_armed = 1;
  node->clock_due = due;
}

/* Fires every deadline due at now, earliest (then oldest) first. */
static void fire_due(otp_node *node, uint64_t now) {
  while (node->heap_len && node->heap[0]->due_ns <= now) {
    otp_deadline *d = node->heap[0];
    remove_at(node, 0);
    d->fire(node, d);
  }
}

/* libuv runs due timers at the start of an iteration and then polls until
** the next one: a process this woke would wait for that next timer (a
** receive timeout of 0 or 1 ms ending only when another timer fired). uv_stop
** makes the poll return at once, so the scheduler runs what was woken. */
static void on_clock_timer(uv_timer_t *h) {
  otp_node *node = h->data;
  node->clock_armed = 0;
  fire_due(node, otp_now_ns());
  arm(node);
  if (node->rq_len) uv_stop(&node->loop);
}

void otp_clock_init(otp_node *node) {
  uv_timer_init(&node->loop, &node->clock_timer);
  node->clock_timer.data = node;
  if (node->cfg.virtual_time) atomic_store(&time_node, node);
}

void otp_clock_close(otp_node *node) {
  otp_node *self = node;
  atomic_compare_exchange_strong(&time_node, &self, NULL);
  uv_timer_stop(&node->clock_timer);
  uv_close((uv_handle_t *)&node->clock_timer, NULL);
  free(node->heap);
  node->heap = NULL;
  node->heap_len = node->heap_cap = 0;
}

void otp_deadline_start(otp_node *node, otp_deadline *d, uint64_t ms) {
  if (node->heap_len == node->heap_cap) {
    uint32_t cap = node->heap_cap ? node->heap_cap * 2 : 64;
    otp_deadline **heap = realloc(node->heap, cap * sizeof *heap);
    if (!heap) abort();
    node->heap = heap;
    node->heap_cap = cap;
  }
  uint64_t now = otp_clock_now(node);       /* saturate: 2^53 ms is about forever */
  d->due_ns = ms > (UINT64_MAX - now) / 1000000u ? UINT64_MAX : now + ms * 1000000u;
  d->seq = ++node->heap_seq;
  place(node, node->heap_len++, d);
  sift_up(node, d->idx);
  if (d->idx == 0) arm(node);
}

void otp_deadline_stop(otp_node *node, otp_deadline *d) {
  if (d->idx == OTP_DEADLINE_NONE) return;
  remove_at(node, d->idx);
  if (node->heap_len == 0) arm(node);   /* a cancelled timer must not keep the loop alive */
}

uint64_t otp_deadline_left_ms(const otp_node *node, const otp_deadline *d) {
  uint64_t now = otp_clock_now(node);
  return d->due_ns > now ? (d->due_ns - now + 999999u) / 1000000u : 0;
}

int otp_clock_advance(otp_node *node) {
  if (node->heap_len == 0) return 0;
  uint64_t due = node->heap[0]->due_ns;
  if (due > node->vclock_ns) node->vclock_ns = due;
  fire_due(node, node->vclock_ns);
  return 1;
}

static void on_outside_timer(uv_timer_t *h) {
  otp_node *node = h->data;
  node->clock_armed = 1;          /* unused by virtual time otherwise */
}

void otp_clock_wait_outside(otp_node *node) {
  if (!node->heap_len) return;
  uint64_t due = node->heap[0]->due_ns;
  uint64_t ms = due > node->vclock_ns ? (due - node->vclock_ns + 999999u) / 1000000u : 0;
  node->clock_armed = 0;
  uv_update_time(&node->loop);
  uv_timer_start(&node->clock_timer, on_outside_timer, ms, 0);
  while (!node->rq_len && !node->clock_armed && node->outside_holds && !node->done)
    uv_run(&node->loop, UV_RUN_ONCE);
  uv_timer_stop(&node->clock_timer);
  node->clock_armed = 0;
}
