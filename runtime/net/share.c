/*
** The server's share of the node: a credit of CPU time (share.h).  The
** credit grows by fraction x the CPU time the node's thread uses while a
** user process is runnable, and is filled up at once when none is (the
** node has time to spare).  It pays for all the server's time, as measured: its processes'
** slices, which the scheduler sums in node->group_us[OTP_CPU_SERVER], and
** the loop's poll phase, where libwebsockets reads, parses and writes.  A
** request is posted to the API server while the credit lasts; one that
** finds none waits, and the drain handle, which keeps the loop from
** sleeping while requests wait, posts it when the credit is back.
** What a request costs is only known once its processes have run, after
** the requests of the same poll phase were admitted: until the next update
** each admitted request holds an estimate (the recent time per request),
** so that a burst stops near the credit instead of far past it.
*/
#include <stdio.h>
#include <time.h>
#include "net/conn.h"

/* How much unspent share the server may save up: a burst of this much
** server time right after the user's processes were busy for long. */
#define CREDIT_MAX_NS 2000000
/* Requests that wait are posted once the credit reaches this much. */
#define CREDIT_BATCH_NS 1000000

/* A process of the user's waits to run (the sandboxes' are all the user's). */
static int user_waiting(const otp_node *node) {
  if (node->sb_head) return 1;
  for (const otp_proc *p = node->rq_head; p; p = p->rq_next)
    if (p->cpu_group == OTP_CPU_USER) return 1;
  return 0;
}

/* The node thread's CPU time: the share is a fraction of it. */
static uint64_t thread_cpu_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The estimate: the server's time over the requests posted, in the
** updates that posted any, each sum decaying by this much every time. */
#define COST_DECAY 0.98
#define COST_FIRST_NS 50000.0

static void update_credit(otp_net *net) {
  otp_net_share *s = &net->share;
  otp_node *node = net->node;
  uint64_t cpu = thread_cpu_ns(), server_us = node->group_us[OTP_CPU_SERVER];
  double passed = (double)(cpu - s->cpu_seen);
  /* the slices are timed by the clock on the wall: on a busy machine the
  ** kernel may stop the thread in one of them for long, and that time is
  ** no one's; the server cannot have used more than the thread did */
  double spent = (double)(server_us - s->seen_us) * 1000 + (double)s->io_ns;
  if (spent > passed) spent = passed;
  /* the server's processes ran: the requests held for have been charged */
  if (server_us != s->seen_us) s->held_ns = 0;
  s->seen_us = server_us;
  s->cpu_seen = cpu;
  s->io_ns = 0;
  if (s->posted) {
    s->spent_sum = s->spent_sum * COST_DECAY + spent;
    s->posted_sum = s->posted_sum * COST_DECAY + s->posted;
    s->cost_ns = s->spent_sum / s->posted_sum;
    s->posted = 0;
  }
  s->credit_ns -= spent;
  if (!user_waiting(node)) s->credit_ns = CREDIT_MAX_NS;
  else s->credit_ns += s->fraction * passed;
  if (s->credit_ns > CREDIT_MAX_NS) s->credit_ns = CREDIT_MAX_NS;
}

static int has_credit(const otp_net_share *s) { return s->credit_ns - s->held_ns > 0; }

static void post(otp_net_share *s, otp_net_conn *c) {
  s->held_ns += s->cost_ns;
  s->posted++;
  otp_net_post_request(c);
}

static void unlink_waiting(otp_net_share *s, otp_net_conn *c) {
  if (c->wait_prev) c->wait_prev->wait_next = c->wait_next;
  else s->head = c->wait_next;
  if (c->wait_next) c->wait_next->wait_prev = c->wait_prev;
  else s->tail = c->wait_prev;
  c->wait_next = c->wait_prev = NULL;
  c->waiting = 0;
  s->waiting--;
  s->waiting_bytes -= c->body_len;
}

static void on_drain(uv_idle_t *h) {
  otp_net *net = h->data;
  otp_net_share *s = &net->share;
  update_credit(net);
  /* waiting requests go in batches: the API server takes them in one
  ** slice and their processes run back to back, which costs less than one
  ** at a time between the user's slices */
  if (s->credit_ns < CREDIT_BATCH_NS && s->credit_ns < CREDIT_MAX_NS) return;
  while (s->head && has_credit(s) && !net->closing) {
    otp_net_conn *c = s->head;
    unlink_waiting(s, c);
    post(s, c);
  }
  if (!s->head) uv_idle_stop(h);
}

/* The poll phase lies between the prepare and the check handles. It is
** counted only while processes are runnable (when none is, the credit is
** full anyway), in the thread's CPU time: on a busy machine the kernel
** often lets other programs run when the thread enters epoll_wait. */
static void on_prepare(uv_prepare_t *h) {
  otp_net *net = h->data;
  net->share.io_from_ns = net->node->rq_len ? thread_cpu_ns() : 0;
}

static void on_check(uv_check_t *h) {
  otp_net *net = h->data;
  otp_net_share *s = &net->share;
  if (s->io_from_ns) {
    uint64_t d = thread_cpu_ns() - s->io_from_ns;
    s->io_ns += d;
    s->io_total_ns += d;
  }
  s->io_from_ns = 0;
}

void otp_net_share_init(otp_net *net, double fraction) {
  otp_net_share *s = &net->share;
  uv_loop_t *loop = &net->node->loop;
  s->fraction = fraction > 0 && fraction < 1 ? fraction : 1;
  s->credit_ns = CREDIT_MAX_NS;
  s->cost_ns = COST_FIRST_NS;
  s->cpu_seen = thread_cpu_ns();
  s->seen_us = net->node->group_us[OTP_CPU_SERVER];
  if (s->fraction >= 1) return;       /* no limit: nothing to measure */
  uv_prepare_init(loop, &s->prepare);
  uv_check_init(loop, &s->check);
  uv_idle_init(loop, &s->drain);
  s->prepare.data = s->check.data = s->drain.data = net;
  /* they must not keep the loop alive on their own */
  uv_unref((uv_handle_t *)&s->prepare);
  uv_unref((uv_handle_t *)&s->check);
  uv_unref((uv_handle_t *)&s->drain);
  uv_prepare_start(&s->prepare, on_prepare);
  uv_check_start(&s->check, on_check);
  s->handles = 1;
}

void otp_net_share_close(otp_net *net) {
  otp_net_share *s = &net->share;
  while (s->head) unlink_waiting(s, s->head);
  if (!s->handles) return;
  s->handles = 0;
  uv_close((uv_handle_t *)&s->prepare, NULL);
  uv_close((uv_handle_t *)&s->check, NULL);
  uv_close((uv_handle_t *)&s->drain, NULL);
}

void otp_net_share_submit(otp_net_conn *c) {
  otp_net *net = c->net;
  otp_net_share *s = &net->share;
  /* the request is in: lws's own timeout (it holds the headers) would
  ** close a request that waits for its share or runs to its deadline; the
  ** API server answers every request it is given, by the deadline at most */
  lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
  if (s->fraction >= 1 || net->closing) {
    otp_net_post_request(c);
    return;
  }
  if (!s->head) {
    update_credit(net);
    if (has_credit(s)) {
      post(s, c);
      return;
    }
  }
  if (s->waiting >= OTP_NET_MAX_WAITING || s->waiting_bytes + c->body_len > OTP_NET_MAX_WAITING_BYTES) {
    char msg[320];
    snprintf(msg, sizeof msg,
             "the server is busy: %u requests already wait for its share of the node "
             "(--api-share %.2f while other processes run); try again after Retry-After seconds",
             s->waiting, s->fraction);
    s->shed++;
    c->retry_after = 1;
    otp_net_respond_error(c, 503, "busy", msg);
    return;
  }
  c->waiting = 1;
  c->wait_next = NULL;
  c->wait_prev = s->tail;
  if (s->tail) s->tail->wait_next = c;
  else s->head = c;
  s->tail = c;
  s->waiting++;
  s->waiting_bytes += c->body_len;
  s->deferred++;
  uv_idle_start(&s->drain, on_drain);
}

void otp_net_share_forget(otp_net_conn *c) {
  if (c->waiting) unlink_waiting(&c->net->share, c);
}
