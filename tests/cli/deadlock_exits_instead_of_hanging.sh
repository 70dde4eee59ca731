#!/usr/bin/env bash
# Proves: when every process waits in receive with no timeout and nothing
# (timer, runnable process) can wake any of them, `otplab run` exits 1 with
# "deadlock" on stderr instead of hanging; a receive with a timeout, a
# pending timer or a running process is not a deadlock.
set -u
. "$(dirname "$0")/lib/checks.bash"

run_bounded() {     # FILE: runs it with a 20 s bound; sets rc
  timeout 20 "$OTPLAB" run "$1" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 124 ] && fail "$(basename "$1"): still running after 20 s (hung)"
}

printf 'otp.receive()\n' >"$tmp/alone.lua"
run_bounded "$tmp/alone.lua"
[ "$rc" -eq 1 ] || fail "main alone in receive: exit status $rc, expected 1"
grep -qi 'deadlock' "$tmp/err" || fail "main alone in receive: no 'deadlock' on stderr"
[ -s "$tmp/out" ] && fail "main alone in receive: something on stdout"

cat >"$tmp/all_waiting.lua" <<'LUA'
for i = 1, 3 do otp.spawn(function() otp.receive(function(m) return m == "never" end) end) end
otp.receive(function(m) return m == "never" end)
LUA
run_bounded "$tmp/all_waiting.lua"
[ "$rc" -eq 1 ] || fail "four processes all waiting: exit status $rc, expected 1"
grep -qi 'deadlock' "$tmp/err" || fail "four processes all waiting: no 'deadlock' on stderr"

# Not deadlocks: a timer will wake main; another process will send to it.
printf 'otp.send_after(50, otp.self(), "wake")\nassert(otp.receive() == "wake")\n' >"$tmp/timer.lua"
run_bounded "$tmp/timer.lua"
[ "$rc" -eq 0 ] || fail "main waiting for a timer: exit status $rc, expected 0 ($(head -c 300 "$tmp/err"))"

cat >"$tmp/worker.lua" <<'LUA'
local me = otp.self()
otp.spawn(function()
  local x = 0
  for i = 1, 2000000 do x = x + i end
  otp.send(me, x)
end)
assert(otp.receive() == 2000001000000)
LUA
run_bounded "$tmp/worker.lua"
[ "$rc" -eq 0 ] || fail "main waiting for a busy worker: exit status $rc, expected 0 ($(head -c 300 "$tmp/err"))"

finish
