/*
** test_idmap.c
** Tests for runtime/core/idmap.h: values by id, with removals in
** any order (deletion by shifting back) and removal while visiting all.
*/

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/idmap.h"

#define N 5000
static int slots[N + 1];   /* a timer is the address of its id's slot */

/* Every id finds its own timer after many removals in a scattered order. */
static void removals_keep_the_rest_findable(void **state) {
  (void)state;
  otp_idmap x = {0};
  for (uint64_t id = 1; id <= N; id++) assert_int_equal(otp_idmap_put(&x, id, &slots[id]), 0);
  assert_int_equal(x.n, N);
  for (uint64_t id = 1; id <= N; id += 3) otp_idmap_remove(&x, (id * 7919) % N + 1);
  for (uint64_t id = 1; id <= N; id++) {
    int removed = 0;
    for (uint64_t k = 1; k <= N; k += 3)
      if ((k * 7919) % N + 1 == id) removed = 1;
    if (removed) assert_null(otp_idmap_get(&x, id));
    else assert_ptr_equal(otp_idmap_get(&x, id), &slots[id]);
  }
  otp_idmap_remove(&x, N + 100);        /* absent: nothing happens */
  assert_null(otp_idmap_get(&x, 0));
  otp_idmap_free(&x);
  assert_null(otp_idmap_get(&x, 1));
}

static otp_idmap *visiting;
static int visits[N + 1];

static void forget_one(void *timer) {
  int *slot = timer;
  uint64_t i = (uint64_t)(slot - slots);
  visits[i]++;
  otp_idmap_remove(visiting, i * 13);      /* its id (see below) */
}

static void count_one(void *timer) {
  visits[(int *)timer - slots]++;
}

/* each visits every timer once, whether fn removes it or not. */
static void each_visits_every_timer_once(void **state) {
  (void)state;
  for (int pass = 0; pass < 2; pass++) {
    otp_idmap x = {0};
    visiting = &x;
    for (uint64_t id = 1; id <= N; id++) otp_idmap_put(&x, id * 13, &slots[id]);
    for (int i = 0; i <= N; i++) visits[i] = 0;
    otp_idmap_each(&x, pass == 0 ? forget_one : count_one);
    for (int i = 1; i <= N; i++) assert_int_equal(visits[i], 1);
    assert_int_equal(x.n, 0);
    otp_idmap_free(&x);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(removals_keep_the_rest_findable),
    cmocka_unit_test(each_visits_every_timer_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
