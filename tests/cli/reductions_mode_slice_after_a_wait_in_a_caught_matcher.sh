#!/usr/bin/env bash
# Proves: under `--reductions 1000` a process whose receive matcher was
# caught by the count hook (a long matcher, a call that cannot yield) and
# whose receive then waited gets slices of 1000 instructions again once a
# message wakes it: a loop of about 6 million instructions after it takes
# thousands of context switches, not one per instruction (the look-again
# hook of the caught call was left armed and preempted at every one).
set -u
OTPLAB=${OTPLAB:-build/otplab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/matcher.lua" <<'LUA'
local me = otp.self()
local p = otp.spawn(function()
  local function matcher(m)
    if m == "no" then local x = 0 for i = 1, 200000 do x = x + i end end
    return m == "go" and m
  end
  otp.send(me, "ready")
  otp.receive(matcher)          -- scans the "no"s (caught inside), then waits
  local before = otp.statistics("context_switches")
  local x = 0
  for _ = 1, 3000000 do x = x + 1 end
  otp.send(me, {"switches", otp.statistics("context_switches") - before})
end)
assert(otp.receive(function(m) return m == "ready" end, 10000), "the receiver never started")
for _ = 1, 20 do otp.send(p, "no") end
for _ = 1, 50 do otp.yield() end              -- it scans them and waits
otp.send(p, "go")
local m = otp.receive(function(m) return type(m) == "table" end, 120000)
assert(m, "the receiver never finished its loop")
print("switches " .. m[2])
assert(m[2] < 100000, "the loop took " .. m[2] .. " context switches: preempted at every instruction")
LUA

out=$(timeout 300 "$OTPLAB" run --reductions 1000 "$tmp/matcher.lua" 2>&1)
rc=$?
if [ $rc -ne 0 ]; then
  echo "FAIL: $out" >&2
  exit 1
fi
echo "ok: $out"
