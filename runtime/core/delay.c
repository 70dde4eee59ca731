/*
** Held messages (see delay.h).  Few pairs are delayed at once, so pairs are
** a plain list; each has a FIFO of held messages and one deadline, for its
** head.
*/
#include <stdlib.h>
#include <lauxlib.h>
#include "core/delay.h"
#include "core/mailbox.h"
#include "core/node.h"

typedef struct held {
  struct held *next;
  int ref;                 /* the message, in the main state's registry */
  uint64_t due_ns;
} held;

typedef struct otp_delay_pair {
  otp_deadline deadline;   /* first: the heap hands it back */
  struct otp_delay_pair *next;
  otp_pid from, to;
  held *head, *tail;
} otp_delay_pair;

static otp_delay_pair *find(otp_node *node, otp_pid from, otp_pid to) {
  for (otp_delay_pair *d = node->delays; d; d = d->next)
    if (d->from == from && d->to == to) return d;
  return NULL;
}

int otp_delay_pair_held(otp_node *node, otp_pid from, otp_pid to) {
  return node->delays && find(node, from, to) != NULL;
}

static void unlink_pair(otp_node *node, otp_delay_pair *d) {
  for (otp_delay_pair **at = &node->delays; *at; at = &(*at)->next)
    if (*at == d) {
      *at = d->next;
      break;
    }
  otp_deadline_stop(node, &d->deadline);
  free(d);
}

static void arm_head(otp_node *node, otp_delay_pair *d) {
  uint64_t now = otp_clock_now(node);
  uint64_t due = d->head->due_ns;
  otp_deadline_start(node, &d->deadline, due > now ? (due - now + 999999u) / 1000000u : 0);
}

/* Delivers the pair's held messages due by now, in order (to the mailbox,
** if the receiver still lives); frees the pair when none is left (returns
** 0 then, 1 if some are still held). */
static int deliver(otp_node *node, otp_delay_pair *d, uint64_t now) {
  lua_State *L = node->L;
  while (d->head && d->head->due_ns <= now) {
    held *h = d->head;
    d->head = h->next;
    if (!d->head) d->tail = NULL;
    otp_proc *to = otp_proc_get(node, d->to);
    lua_rawgeti(L, LUA_REGISTRYINDEX, h->ref);
    luaL_unref(L, LUA_REGISTRYINDEX, h->ref);
    if (to) otp_mailbox_put(node, L, to, d->from);
    else lua_pop(L, 1);                      /* to a dead process: lost, as any */
    free(h);
  }
  if (d->head) return 1;
  unlink_pair(node, d);
  return 0;
}

/* The head's time has come. */
static void release(otp_node *node, otp_deadline *dl) {
  otp_delay_pair *d = (otp_delay_pair *)dl;
  if (deliver(node, d, otp_clock_now(node))) arm_head(node, d);   /* more to come */
}

void otp_delay_flush(otp_node *node, otp_pid from, otp_pid to) {
  for (otp_delay_pair *d = node->delays, *next; d; d = next) {
    next = d->next;
    if (d->from == from && (to == OTP_PID_NONE || d->to == to)) deliver(node, d, UINT64_MAX);
  }
}

void otp_delay_hold(otp_node *node, lua_State *L, otp_pid from, otp_proc *to, uint64_t ms) {
  held *h = malloc(sizeof *h);
  if (!h) abort();
  h->next = NULL;
  h->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  uint64_t now = otp_clock_now(node);
  h->due_ns = ms > (UINT64_MAX - now) / 1000000u ? UINT64_MAX : now + ms * 1000000u;
  otp_delay_pair *d = find(node, from, to->pid);
  if (!d) {
    d = calloc(1, sizeof *d);
    if (!d) abort();
    d->deadline.idx = OTP_DEADLINE_NONE;
    d->deadline.fire = release;
    d->from = from;
    d->to = to->pid;
    d->next = node->delays;
    node->delays = d;
  }
  if (d->tail && d->tail->due_ns > h->due_ns) h->due_ns = d->tail->due_ns;  /* behind it */
  if (d->tail) d->tail->next = h;
  else d->head = h;
  d->tail = h;
  if (!otp_deadline_pending(&d->deadline)) arm_head(node, d);
}

void otp_delay_free_all(otp_node *node) {
  while (node->delays) {
    otp_delay_pair *d = node->delays;
    while (d->head) {
      held *h = d->head;
      d->head = h->next;
      luaL_unref(node->L, LUA_REGISTRYINDEX, h->ref);
      free(h);
    }
    unlink_pair(node, d);
  }
}
