#!/usr/bin/env bash
# Proves (issue 9, class 3d): the clock of "a call that cannot be preempted"
# runs only while the process is inside that call. A process whose sort
# comparator was caught by the preemption hook, and which then waited 2.1 s
# (longer than the 2 s stuck limit), is not stopped when a later short call
# that cannot yield is caught again. Under --reductions the hook fires at
# fixed instruction counts, so the interleaving is the same on every run.
set -u
OTPLAB=${OTPLAB:-build/otplab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/wait.lua" <<'LUA'
local function shuffled()
  local t = {}
  for i = 1, 200 do t[i] = (i * 7919) % 200 end
  return t
end
local function busy_sort(t)      -- about 20,000 instructions inside a comparator
  table.sort(t, function(a, b)
    local x = 0
    for _ = 1, 10 do x = x + 1 end
    return a < b
  end)
end
local _, ref = otp.spawn_monitor(function()
  local first, second = shuffled(), shuffled()
  busy_sort(first)     -- the hook catches it inside the comparator
  otp.sleep(2100)      -- waits longer than the stuck limit
  busy_sort(second)    -- caught again at once: must not count the wait
  otp.exit("done")
end)
local down = otp.receive(otp.match{"DOWN", ref}, 20000)
assert(down, "no DOWN")
assert(down[5] == "done", "the process was stopped: " .. otp.inspect(down[5]))
print("wait ok")
LUA

timeout 60 "$OTPLAB" run --reductions 1000 "$tmp/wait.lua" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] || ! grep -qx 'wait ok' "$tmp/out"; then
  echo "FAIL: exit $rc: $(head -c 400 "$tmp/out" "$tmp/err")" >&2
  exit 1
fi
