#!/usr/bin/env bash
# Proves: supervisor reports say what happened. A child that another process
# kills while its supervisor shuts it down is not said to have been killed
# for overstaying its shutdown time; a supervisor that runs out of restart
# budget reports the last exit once, saying the budget ran out (not also
# "a permanent child is always restarted").
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/stranger_kills.lua" <<'LUA'
local main = otp.self()
otp.trap_exit(true)
local sup = assert(otp.supervisor.start_link{strategy = "one_for_one", children = {
  {id = "slow", shutdown = 5000, start = {function()
    return otp.spawn_link(function()
      otp.trap_exit(true)
      otp.receive({"EXIT"})                 -- the supervisor's shutdown
      otp.send(main, "stopping")
      otp.receive()                         -- takes its time
    end)
  end}}}})
local child = otp.supervisor.which_children(sup)[1].pid
otp.exit(sup, "shutdown")
otp.receive("stopping")
otp.exit(child, "kill")                     -- a stranger kills it
otp.receive({"EXIT", sup})
LUA
timeout 20 "$OTPLAB" run "$tmp/stranger_kills.lua" >"$tmp/out" 2>"$tmp/err" || fail "stranger_kills.lua: exit $? ($(head -c 300 "$tmp/err"))"
grep -q 'shutdown_error' "$tmp/err" || fail "no shutdown_error report: $(cat "$tmp/err")"
grep -q 'did not stop within its shutdown time' "$tmp/err" &&
  fail "the report claims the supervisor killed the child: $(cat "$tmp/err")"
grep -q 'killed by another process' "$tmp/err" || fail "the report does not say another process killed it: $(cat "$tmp/err")"

cat >"$tmp/budget.lua" <<'LUA'
otp.trap_exit(true)
local sup = assert(otp.supervisor.start_link{strategy = "one_for_one", intensity = 1, period = 5,
  children = {{id = "w", start = {function()
    return otp.spawn_link(function() otp.receive(); error("crash on purpose") end)
  end}}}})
for _ = 1, 2 do
  local pid = otp.supervisor.which_children(sup)[1].pid
  local ref = otp.monitor(pid)
  otp.send(pid, "crash")
  otp.receive({"DOWN", ref})
end
otp.receive({"EXIT", sup})
LUA
timeout 20 "$OTPLAB" run "$tmp/budget.lua" >"$tmp/out" 2>"$tmp/err" || fail "budget.lua: exit $? ($(head -c 300 "$tmp/err"))"
n_terminated=$(grep -c 'child_terminated' "$tmp/err")
n_gave_up=$(grep -c 'reached_max_restart_intensity' "$tmp/err")
[ "$n_terminated" -eq 1 ] || fail "expected one child_terminated report (the first crash), got $n_terminated: $(cat "$tmp/err")"
[ "$n_gave_up" -eq 1 ] || fail "expected one report that the budget ran out, got $n_gave_up: $(cat "$tmp/err")"
grep 'reached_max_restart_intensity' "$tmp/err" | grep -q 'more than 1 restart within 5 s' ||
  fail "the give-up report does not say the budget ran out: $(cat "$tmp/err")"

[ "$failures" -eq 0 ]
