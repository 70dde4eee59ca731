# Sourced by the tests/cli/dist_*.sh tests: what every one of them needs to
# run beside other nodes without colliding or leaving anything behind.
#   - skips (exit 0) if erl is missing (scripts/setup installs erlang-base);
#   - OTPLAB, tmp, fail and finish from checks.bash; suffix: a random part
#     for node names and cookies;
#   - ERL_EPMD_PORT: a private epmd port, free when chosen (epmd is started
#     by the first node);
#   - start_otp and wait_erl_and_otp (below): one otplab node beside erl;
#   - on exit: the processes in otp_pid and a_pid (timeout wrappers) get
#     SIGTERM, those in erl_pid and b_pid (nodes themselves) SIGKILL, then
#     this port's epmd is stopped and tmp removed.
if ! command -v erl >/dev/null || ! command -v epmd >/dev/null; then
  echo "skipped: no erl (install erlang-base to run this test)"
  exit 0
fi
. "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
# a private epmd port below the kernel's ephemeral range (32768 up), where
# no outgoing connection can be holding it, and one that binds now
free_epmd_port() {
  local port
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    port=$((20000 + RANDOM % 12000))
    python3 -c "import socket,sys; s=socket.socket(); s.bind(('0.0.0.0', int(sys.argv[1])))" \
      "$port" 2>/dev/null && { echo "$port"; return; }
  done
  echo "$port"
}
ERL_EPMD_PORT=$(free_epmd_port)
export ERL_EPMD_PORT
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
# wait_erl_and_otp: waits for erl_pid, then otp_pid (its stdout on fd 3);
# sets erl_rc, otp_rc and lua_out (what otplab printed after its first
# line, fd 3 then closed), and records a failure for a non-zero exit of
# either (their stderr in $tmp/err and $tmp/erl_out).
wait_erl_and_otp() {
  wait "$erl_pid"
  erl_rc=$?
  erl_pid=
  wait "$otp_pid"
  otp_rc=$?
  otp_pid=
  lua_out=$(cat <&3)
  exec 3<&-
  [ "$otp_rc" -eq 0 ] || fail "otplab exited $otp_rc: $(head -c 600 "$tmp/err")"
  [ "$erl_rc" -eq 0 ] || fail "erl exited $erl_rc: $(head -c 600 "$tmp/erl_out")"
}
# start_otp SCRIPT NAME: runs `otplab run --sname NAME --cookie $cookie
# SCRIPT` (under timeout 60) with its stdout on fd 3 and stderr in
# $tmp/err, and reads its first line, "ready NAME@HOST", into ready and
# otp_node; exits (failing) if none comes within 20 s.
start_otp() {
  mkfifo "$tmp/out"
  timeout 60 "$OTPLAB" run --sname "$2" --cookie "$cookie" "$1" >"$tmp/out" 2>"$tmp/err" &
  otp_pid=$!
  exec 3<"$tmp/out"
  if ! read -r -t 20 -u 3 ready otp_node; then
    fail "otplab did not say it was ready within 20 s ($(head -c 300 "$tmp/err"))"
    exit 1
  fi
}
