#!/usr/bin/env bash
# Proves: `otplab test` names, on the line of a failed scenario, the seed to
# replay it with (`replay with --seed S`), and `otplab test --seed S` runs
# the scenario on that seed again: a scenario that fails with the number
# math.random drew shows the same number when replayed.
set -u
. "$(dirname "$0")/lib/checks.bash"

mkdir -p "$tmp/suite"
printf 'error("unlucky draw " .. math.random(1, 1 << 40))\n' >"$tmp/suite/unlucky.lua"
timeout 60 "$OTPLAB" test "$tmp/suite" >"$tmp/out1" 2>&1
[ $? -eq 1 ] || fail "a failing scenario: expected exit 1"
seed=$(sed -n 's/^FAIL .*replay with --seed \([0-9]*\))$/\1/p' "$tmp/out1")
[ -n "$seed" ] || fail "the FAIL line names no seed: $(grep FAIL "$tmp/out1")"
draw1=$(grep -o 'unlucky draw [0-9]*' "$tmp/out1" | head -n 1)
timeout 60 "$OTPLAB" test --seed "$seed" "$tmp/suite" >"$tmp/out2" 2>&1
draw2=$(grep -o 'unlucky draw [0-9]*' "$tmp/out2" | head -n 1)
[ -n "$draw1" ] && [ "$draw1" = "$draw2" ] || fail "--seed $seed drew '$draw2', the failing run '$draw1'"
grep -q "replay with --seed $seed)" "$tmp/out2" || fail "the replay names another seed: $(grep FAIL "$tmp/out2")"
timeout 60 "$OTPLAB" test "$tmp/suite" >"$tmp/out3" 2>&1
draw3=$(grep -o 'unlucky draw [0-9]*' "$tmp/out3" | head -n 1)
[ "$draw3" != "$draw1" ] || fail "two runs without --seed drew the same number: '$draw1'"
finish
