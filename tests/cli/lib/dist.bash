# Sourced by the tests/cli/dist_*.sh tests: what every one of them needs to
# run beside other nodes without colliding or leaving anything behind.
#   - skips (exit 0) if erl is missing (scripts/setup installs erlang-base);
#   - OTPLAB, tmp, fail and finish from checks.bash; suffix: a random part
#     for node names and cookies;
#   - ERL_EPMD_PORT: a private epmd port (epmd is started by the first node);
#   - on exit: the processes in otp_pid and a_pid (timeout wrappers) get
#     SIGTERM, those in erl_pid and b_pid (nodes themselves) SIGKILL, then
#     this port's epmd is stopped and tmp removed.
if ! command -v erl >/dev/null || ! command -v epmd >/dev/null; then
  echo "skipped: no erl (install erlang-base to run this test)"
  exit 0
fi
. "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
export ERL_EPMD_PORT=$((20000 + RANDOM % 30000))
export ERL_CRASH_DUMP="$tmp/erl_crash.dump"   # a failing erl writes its dump here, not in the tree
suffix=$RANDOM$RANDOM
dist_cleanup() {
  for pid in ${otp_pid:-} ${a_pid:-}; do kill "$pid" 2>/dev/null; done
  for pid in ${erl_pid:-} ${b_pid:-}; do { kill -CONT "$pid"; kill -9 "$pid"; } 2>/dev/null; done
  exec 3<&- 4<&- 2>/dev/null
  wait 2>/dev/null
  epmd -kill >/dev/null 2>&1     # only the epmd of this test's port
  rm -rf "$tmp"
}
trap dist_cleanup EXIT
