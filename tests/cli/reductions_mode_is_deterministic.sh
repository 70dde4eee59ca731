#!/usr/bin/env bash
# Proves: `otplab run --reductions 1000` (deterministic scheduling, DESIGN.md
# Preemption) produces the same interleaving run to run: a two-process
# ping-pong running beside two busy workers that are preempted mid-loop
# prints exactly the same output twice, and that output really interleaves.
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/pingpong.lua" <<'LUA'
local me = otp.self()
local function busy(name)
  return function()
    for i = 1, 60 do
      local x = 0
      for k = 1, 400 do x = x + k % 7 end   -- a few thousand instructions
      print(name, i, x)
    end
  end
end
local _, ra = otp.spawn_monitor(busy("A"))
local _, rb = otp.spawn_monitor(busy("B"))
local ponger = otp.spawn(function()
  for _ = 1, 100 do
    local m = otp.receive()
    local x = 0
    for k = 1, 300 do x = x + k end
    print("pong", m.n)
    otp.send(m.from, { "pong", m.n })
  end
end)
for n = 1, 100 do
  otp.send(ponger, { from = me, n = n })
  local r = otp.receive(function(m) return type(m) == "table" and m[1] == "pong" end)
  print("ping", r[2])
end
for _, ref in ipairs { ra, rb } do
  otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end)
end
print("done")
LUA

for i in 1 2 3; do
  timeout 60 "$OTPLAB" run --reductions 1000 "$tmp/pingpong.lua" >"$tmp/out$i" 2>"$tmp/err$i"
  rc=$?
  [ "$rc" -eq 0 ] || fail "run $i: exit status $rc ($(head -c 300 "$tmp/err$i"))"
done
[ "$(tail -n 1 "$tmp/out1")" = "done" ] || fail "the ping-pong did not finish"
[ "$(grep -c '^ping' "$tmp/out1")" -eq 100 ] || fail "expected 100 ping lines"
cmp -s "$tmp/out1" "$tmp/out2" || fail "runs 1 and 2 differ: $(diff "$tmp/out1" "$tmp/out2" | head -5)"
cmp -s "$tmp/out1" "$tmp/out3" || fail "runs 1 and 3 differ: $(diff "$tmp/out1" "$tmp/out3" | head -5)"

# The workers were preempted mid-run: their lines interleave with each
# other and with the ping-pong (so the determinism above is not trivial).
switches=$(awk '{ if (NR > 1 && $1 != prev) n++; prev = $1 } END { print n + 0 }' "$tmp/out1")
[ "$switches" -ge 10 ] || fail "output barely interleaves ($switches switches between writers): was anything preempted?"
first_b=$(grep -n '^B' "$tmp/out1" | head -1 | cut -d: -f1)
last_a=$(grep -n '^A' "$tmp/out1" | tail -1 | cut -d: -f1)
if [ -z "$first_b" ] || [ -z "$last_a" ] || [ "$first_b" -gt "$last_a" ]; then
  fail "worker A finished before worker B started: no preemption between them"
fi

finish
