#!/usr/bin/env bash
# Proves: --seed N seeds math.random per process (API.md section 7, Seeds):
# a process's draws depend only on the seed and its pid, so another
# process drawing more (or fewer) numbers does not shift them; the same seed
# gives the same draws, another seed others, and no seed a fresh stream
# every run (as before --seed existed). math.random keeps Lua's contract.
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/draws.lua" <<'LUA'
-- arg[1] = how many numbers the first process draws before spawning
for _ = 1, tonumber(arg[1]) do math.random() end
local me = otp.self()
otp.spawn(function()
  local t = {}
  for i = 1, 5 do t[i] = math.random(1, 1000000) end
  otp.send(me, table.concat(t, " "))
end)
print(otp.receive())
-- Lua's contract: ranges, random(0), errors, randomseed replays
local ok, err = pcall(math.random, 3, 1)
assert(not ok and err:find("interval is empty"), err)
for _ = 1, 1000 do local v = math.random(5) assert(v >= 1 and v <= 5) end
local f = math.random() assert(f >= 0 and f < 1)
assert(math.type(math.random(0)) == "integer")
math.randomseed(7) local a = math.random(1, 1 << 40)
math.randomseed(7) assert(math.random(1, 1 << 40) == a)
LUA

run() { timeout 30 "$OTPLAB" run "$@" 2>&1 || fail "run $*: exit status $?"; }
a=$(run --seed 5 "$tmp/draws.lua" 0)
b=$(run --seed 5 "$tmp/draws.lua" 100)
c=$(run --seed 6 "$tmp/draws.lua" 0)
d=$(run "$tmp/draws.lua" 0)
e=$(run "$tmp/draws.lua" 0)
[ "$(echo "$a" | wc -w)" -eq 5 ] || fail "expected five numbers, got '$a'"
[ "$a" = "$b" ] || fail "the child's draws moved when the first process drew more: '$a' vs '$b'"
[ "$a" != "$c" ] || fail "seeds 5 and 6 gave the same draws: '$a'"
[ "$d" != "$e" ] || fail "two runs without --seed gave the same draws: '$d'"

finish
