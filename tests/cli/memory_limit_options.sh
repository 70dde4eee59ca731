#!/usr/bin/env bash
# Proves: `otplab run --max-heap MB` gives every process a max_heap and
# `--max-memory MB` caps the whole node (help run): a process that allocates
# without bound is killed (reason "killed") and the rest carries on; when the
# first process itself is the one killed, otplab exits 1 saying "killed".
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/child_grows.lua" <<'LUA'
local _, ref = otp.spawn_monitor(function()
  local t = {}
  for i = 1, math.maxinteger do t[i] = ("x"):rep(64) .. i end
end)
local d = otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, 20000)
assert(d, "the growing child was never stopped")
print("child " .. tostring(d[5]))
LUA
cat >"$tmp/main_grows.lua" <<'LUA'
local t = {}
for i = 1, math.maxinteger do t[i] = ("x"):rep(64) .. i end
LUA

for opt in "--max-heap 1" "--max-memory 64"; do
  # shellcheck disable=SC2086
  timeout 60 "$OTPLAB" run $opt "$tmp/child_grows.lua" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 0 ] || fail "$opt, a growing child: exit status $rc, expected 0 ($(head -c 300 "$tmp/err"))"
  grep -qx 'child killed' "$tmp/out" || fail "$opt, a growing child: its DOWN reason is not 'killed' ($(cat "$tmp/out"))"

  # shellcheck disable=SC2086
  timeout 60 "$OTPLAB" run $opt "$tmp/main_grows.lua" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 1 ] || fail "$opt, the first process grows: exit status $rc, expected 1"
  grep -q 'killed' "$tmp/err" || fail "$opt, the first process grows: 'killed' is not on stderr"
  [ -s "$tmp/out" ] && fail "$opt, the first process grows: something on stdout"
done

# The option needs a positive number of megabytes.
timeout 20 "$OTPLAB" run --max-heap nonsense "$tmp/child_grows.lua" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "--max-heap nonsense: exit status $rc, expected 2"

finish
