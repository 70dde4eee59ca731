#!/usr/bin/env bash
# Proves: under `--reductions N` (the permanent count hook instead of the
# watchdog) a process in `while true do end` still does not stop the others:
# the main process exchanges 1000 messages with another process while it
# spins, then kills it (DOWN reason "killed"); and a loop that cannot be
# preempted (inside a table.sort comparator) is still stopped with an error
# that says so.
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/spin.lua" <<'LUA'
local me = otp.self()
local looper, lref = otp.spawn_monitor(function()
  otp.send(me, "looping")
  while true do end
end)
assert(otp.receive(function(m) return m == "looping" end, 5000), "the looper never started")
local ponger = otp.spawn(function()
  while true do
    local m = otp.receive(nil, 5000)
    if type(m) ~= "table" then return end
    otp.send(m.from, { "pong", m.n })
  end
end)
for i = 1, 500 do
  otp.send(ponger, { from = me, n = i })
  local r = otp.receive(function(m) return type(m) == "table" and m[1] == "pong" end, 5000)
  assert(r and r[2] == i, "no pong " .. i .. " while a process spins")
end
otp.send(ponger, "stop")
assert(otp.is_alive(looper), "the looper died on its own")
otp.exit(looper, "kill")
local down = otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == lref end, 5000)
assert(down and down[5] == "killed", "the looper's DOWN reason is " .. tostring(down and down[5]))
print("spin ok")
LUA

cat >"$tmp/sort.lua" <<'LUA'
local _, ref = otp.spawn_monitor(function()
  table.sort({ 3, 2, 1 }, function(a, b) while true do end end)
end)
local down = otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, 10000)
assert(down, "no DOWN within 10 s from a loop inside a sort comparator")
assert(type(down[5]) == "table" and down[5][1] == "error", "the reason is not {'error', ...}")
assert(tostring(down[5][2]):lower():find("preempt"), "the error does not say it could not be preempted: "
  .. tostring(down[5][2]))
print("sort ok")
LUA

for n in 1000 100000; do
  timeout 60 "$OTPLAB" run --reductions "$n" "$tmp/spin.lua" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 0 ] || fail "--reductions $n, busy loop: exit status $rc ($(head -c 300 "$tmp/err"))"
  grep -qx 'spin ok' "$tmp/out" || fail "--reductions $n, busy loop: the scenario did not finish"
done

timeout 60 "$OTPLAB" run --reductions 1000 "$tmp/sort.lua" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "--reductions 1000, sort comparator: exit status $rc ($(head -c 300 "$tmp/err"))"
grep -qx 'sort ok' "$tmp/out" || fail "--reductions 1000, sort comparator: the scenario did not finish"

finish
