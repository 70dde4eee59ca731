/*
** test_links.c
** Tests for runtime/core/links.h: a link set agrees with a plain list of
** pids through thousands of adds and removals on both sides of the size
** where its index starts, and keeps each peer once; the node counts the
** set's bytes among its processes' records until it is freed.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include "core/links.h"
#include "core/node.h"

#define UNIVERSE 300   /* pids 1..UNIVERSE */

static int model[UNIVERSE + 1];   /* model[pid]: linked? */
static otp_node node;             /* only its memory counters are used */

static void check_agrees(const otp_proc *p) {
  uint32_t n = 0;
  for (otp_pid pid = 1; pid <= UNIVERSE; pid++) {
    assert_int_equal(otp_links_has(p, pid), model[pid]);
    n += (uint32_t)model[pid];
  }
  assert_int_equal(p->nlinks, n);
  for (uint32_t i = 0; i < p->nlinks; i++) assert_true(model[p->links[i]]);
}

/* Random adds and removals, the set growing past the index and back down. */
static void agrees_with_a_plain_list(void **state) {
  (void)state;
  otp_proc p = {.node = &node};
  srand(7);
  for (int round = 0; round < 20000; round++) {
    otp_pid pid = 1 + (otp_pid)(rand() % UNIVERSE);
    /* the first half mostly adds, the second mostly removes */
    int add = (rand() % 100) < (round < 10000 ? 70 : 30);
    if (add) {
      otp_links_add(&p, pid);
      model[pid] = 1;
    } else {
      assert_int_equal(otp_links_remove(&p, pid), model[pid]);
      model[pid] = 0;
    }
    if (round % 97 == 0) check_agrees(&p);
  }
  check_agrees(&p);
  assert_int_equal(node.mem_proc_records, p.caplinks * sizeof(otp_pid));
  otp_links_free(&p);
  assert_int_equal(p.nlinks, 0);
  assert_int_equal(node.mem_proc_records, 0);
  assert_int_equal(node.mem_records, 0);
}

/* Adding a peer twice keeps it once; removing it once removes it. */
static void a_peer_is_kept_once(void **state) {
  (void)state;
  otp_proc p = {.node = &node};
  for (otp_pid pid = 1; pid <= 100; pid++) otp_links_add(&p, pid);
  for (otp_pid pid = 1; pid <= 100; pid++) otp_links_add(&p, pid);
  assert_int_equal(p.nlinks, 100);
  assert_int_equal(otp_links_remove(&p, 50), 1);
  assert_int_equal(otp_links_remove(&p, 50), 0);
  assert_false(otp_links_has(&p, 50));
  assert_true(otp_links_has(&p, 100));
  otp_links_drop_index(&p);             /* a scan still finds what is left */
  assert_true(otp_links_has(&p, 99));
  assert_int_equal(otp_links_remove(&p, 99), 1);
  assert_int_equal(p.nlinks, 98);
  otp_links_free(&p);
  assert_int_equal(node.mem_records, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(agrees_with_a_plain_list),
    cmocka_unit_test(a_peer_is_kept_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
