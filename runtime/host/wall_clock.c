/*
** time(2) for the whole otplab executable.  Under --virtual-time it answers
** from the node's virtual clock, so os.time() agrees with otp.system_time()
** and the seed Lua mixes into its string hashes (the current second) is the
** same on every run: with --seed, which also turns address randomisation
** off (main.c), the order pairs() visits string keys is reproducible too.
*/
#include <time.h>
#include "core/clock.h"

time_t time(time_t *out) {
  uint64_t ns;
  time_t now;
  if (otp_clock_wall_override(&ns)) {
    now = (time_t)(ns / 1000000000u);
  } else {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now = ts.tv_sec;
  }
  if (out) *out = now;
  return now;
}
