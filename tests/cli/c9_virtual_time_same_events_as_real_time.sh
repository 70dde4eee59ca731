#!/usr/bin/env bash
# Proves: --virtual-time (API.md section 7) runs the clock, sleeps, receive
# timeouts and restart-intensity periods (rule C9) on a virtual clock, with
# the same events as real time. One scenario, a supervisor allowing one
# restart in P seconds: a crash, P/2 asleep, a receive that times out after
# P/2 + 1 s (the first restart leaves the window), a crash, P/2 asleep, a
# crash (two restarts within P: the supervisor gives up). With P = 60 under
# virtual time it reports 91 s elapsed (while the test's own timeout is
# 60 s of real time); in real time P = 4 keeps `make test` short. All runs
# record the same event kinds in the same order.
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/period.lua" <<'LUA'
-- A worker that crashes on request under a supervisor allowing 1 restart in
-- P seconds (P = arg[1], default 60): a crash, P/2 asleep, P/2 + 1 waiting
-- in a receive that times out, a crash (the first restart has left the
-- window), P/2 asleep, a crash (two restarts in P: the supervisor gives up).
local P = tonumber(arg[1]) or 60
local sup = otp.supervisor
otp.trap_exit(true)
local session = otp.trace.start{kinds = {"spawn", "exit", "sup_restart", "sup_shutdown"}}
local root = sup.start_link{strategy = "one_for_one", intensity = 1, period = P, children = {
  {id = "w", start = {function()
    return otp.spawn_link(function() otp.receive("crash") error("asked to crash") end)
  end}},
}}
local function crash()
  local pid = sup.which_children(root)[1].pid
  otp.send(pid, "crash")
  return pid
end
local t0 = otp.monotonic_time()
local first = crash()
otp.expect.restarted(root, "w", first)
otp.sleep(P * 500)
otp.expect.eq(otp.receive("never", P * 500 + 1000), nil)
local second = crash()
otp.expect.restarted(root, "w", second)
otp.sleep(P * 500)
crash()
otp.expect.receive(otp.match{"EXIT", root, "shutdown"}, 5000)
session:stop()
for _, e in ipairs(session:events()) do print(e.kind) end
print("elapsed_s", (otp.monotonic_time() - t0) // 1000)
LUA

run() {  # run NAME ARGS...: the kinds (and elapsed line) in $tmp/NAME
  local name=$1
  shift
  timeout 60 "$OTPLAB" run "$@" >"$tmp/$name" 2>"$tmp/$name.err"
  local rc=$?
  [ "$rc" -eq 0 ] || fail "$name: exit status $rc: $(head -c 400 "$tmp/$name.err")"
  grep -v '^elapsed_s' "$tmp/$name" >"$tmp/$name.kinds"
}
run virtual60 --virtual-time "$tmp/period.lua" 60
run virtual4 --virtual-time "$tmp/period.lua" 4
run real4 "$tmp/period.lua" 4

grep -qx 'elapsed_s	91' "$tmp/virtual60" || fail "virtual time: expected 91 s elapsed, got: $(grep elapsed "$tmp/virtual60")"
grep -qx 'elapsed_s	7' "$tmp/virtual4" || fail "virtual time, P = 4: expected 7 s elapsed, got: $(grep elapsed "$tmp/virtual4")"
[ "$(grep -c '^sup_restart$' "$tmp/virtual60.kinds")" -eq 2 ] || fail "expected two sup_restart events: $(cat "$tmp/virtual60.kinds")"
[ "$(grep -c '^sup_shutdown$' "$tmp/virtual60.kinds")" -eq 1 ] || fail "expected one sup_shutdown event"
cmp -s "$tmp/virtual60.kinds" "$tmp/real4.kinds" ||
  fail "virtual and real time recorded different events: $(diff "$tmp/virtual60.kinds" "$tmp/real4.kinds" | head -8)"
cmp -s "$tmp/virtual60.kinds" "$tmp/virtual4.kinds" ||
  fail "P = 60 and P = 4 recorded different events: $(diff "$tmp/virtual60.kinds" "$tmp/virtual4.kinds" | head -8)"

finish
