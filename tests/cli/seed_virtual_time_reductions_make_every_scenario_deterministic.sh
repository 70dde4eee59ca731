#!/usr/bin/env bash
# Proves: with --reductions N --virtual-time --seed S (API.md section 7,
# Seeds) two runs of every scenario in scenarios/ print byte-identical
# output (stdout and stderr, exit status included) and record the same
# events, every field of every event (a trace session on all processes,
# dumped as JSON Lines, compared byte for byte). Another seed still passes.
set -u
. "$(dirname "$0")/lib/checks.bash"

# Runs the scenario in arg[1] under a trace session on every process and
# dumps the events to arg[2].
cat >"$tmp/traced.lua" <<'LUA'
local session = otp.trace.start{pids = "all", max_events = 100000}
local ok, err = pcall(dofile, arg[1])
session:stop()
session:dump(arg[2])
if not ok then error(err, 0) end
LUA

opts=(--reductions 500 --virtual-time --seed 1234)
n=0
for f in scenarios/*.lua; do
  name=$(basename "$f" .lua)
  for i in 1 2; do
    timeout 60 "$OTPLAB" run "${opts[@]}" "$f" >"$tmp/$name.out$i" 2>&1
    echo "exit $?" >>"$tmp/$name.out$i"
    timeout 60 "$OTPLAB" run "${opts[@]}" "$tmp/traced.lua" "$f" "$tmp/$name.ev$i" >/dev/null 2>&1 ||
      fail "$name: the traced run failed"
  done
  grep -qx 'exit 0' "$tmp/$name.out1" || fail "$name: did not pass: $(head -c 300 "$tmp/$name.out1")"
  cmp -s "$tmp/$name.out1" "$tmp/$name.out2" ||
    fail "$name: the two runs printed different output: $(diff "$tmp/$name.out1" "$tmp/$name.out2" | head -6)"
  [ -s "$tmp/$name.ev1" ] || fail "$name: no events were recorded"
  cmp -s "$tmp/$name.ev1" "$tmp/$name.ev2" ||
    fail "$name: the two runs recorded different events: $(diff "$tmp/$name.ev1" "$tmp/$name.ev2" | head -4)"
  n=$((n + 1))
done
[ "$n" -ge 12 ] || fail "expected at least 12 scenarios, found $n"

# Another seed: the same verdicts (the scenarios do not depend on one seed).
for f in scenarios/*.lua; do
  timeout 60 "$OTPLAB" run --reductions 500 --virtual-time --seed 99 "$f" >/dev/null 2>&1 ||
    fail "$(basename "$f"): fails with --seed 99"
done

finish
