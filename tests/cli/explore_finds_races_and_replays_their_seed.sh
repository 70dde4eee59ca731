#!/usr/bin/env bash
# Proves: `otplab explore FILE [--runs N] [--seed S]` (API.md section 7,
# Exploring schedules) finds known races within the default 200 runs, prints
# `failing seed: S`, the failure report and the events leading up to it and
# exits 1; `--seed S --runs 1` replays that run exactly (the same output);
# the corrected versions pass every run (`200 runs, no failure`, exit 0);
# every scenario in scenarios/ passes a few explored runs; misuse exits 2.
# The races (tests/explore/): LYSE's restarter that registers after a
# whereis check (rule A12), and a client calling a server by name while its
# supervisor restarts it (rule B2). Fixed seeds keep the test reproducible.
set -u
. "$(dirname "$0")/lib/checks.bash"

hunt() {  # hunt RACE FIXED SEED
  local race=$1 fixed=$2 seed=$3 name
  name=$(basename "$race" .lua)-$seed
  timeout 120 "$OTPLAB" explore "$race" --seed "$seed" >"$tmp/$name" 2>"$tmp/$name.err"
  local rc=$?
  [ "$rc" -eq 1 ] || { fail "$race --seed $seed: exit $rc, expected 1 (race not found?): $(tail -n 2 "$tmp/$name")"; return; }
  local found
  found=$(sed -n 's/^failing seed: \([0-9]*\) (run \([0-9]*\) of 200)$/\1/p' "$tmp/$name")
  [ -n "$found" ] || { fail "$race: no 'failing seed: S (run K of 200)' line: $(head -n 2 "$tmp/$name")"; return; }
  grep -q 'expectation failed' "$tmp/$name" || fail "$race: the failure report is missing"
  grep -q 'sequenceDiagram' "$tmp/$name" || fail "$race: the events leading up to the failure are missing"
  grep -qx "replay it: otplab explore $race --seed $found --runs 1" "$tmp/$name" ||
    fail "$race: no replay line for seed $found"
  # the replay: the same run, the same output (after the first line, which counts runs)
  timeout 60 "$OTPLAB" explore "$race" --seed "$found" --runs 1 >"$tmp/$name.replay" 2>&1
  rc=$?
  [ "$rc" -eq 1 ] || fail "$race: the replay of seed $found exited $rc, expected 1"
  head -n 1 "$tmp/$name.replay" | grep -qx "failing seed: $found (run 1 of 1)" ||
    fail "$race: the replay did not fail on its seed: $(head -n 1 "$tmp/$name.replay")"
  cmp -s <(tail -n +2 "$tmp/$name") <(tail -n +2 "$tmp/$name.replay") ||
    fail "$race: the replay of seed $found differs: $(diff <(tail -n +2 "$tmp/$name") <(tail -n +2 "$tmp/$name.replay") | head -6)"
  # the corrected version survives every schedule of the same seeds
  [ "$seed" = 1 ] || return
  timeout 300 "$OTPLAB" explore "$fixed" --seed "$seed" >"$tmp/$name.fixed" 2>&1
  rc=$?
  [ "$rc" -eq 0 ] || fail "$fixed --seed $seed: exit $rc: $(head -n 20 "$tmp/$name.fixed")"
  grep -qx '200 runs, no failure' "$tmp/$name.fixed" || fail "$fixed: no '200 runs, no failure' line"
}
for seed in 1 424242; do
  hunt tests/explore/racy_register_after_whereis.lua scenarios/register_race_settled_by_register_itself.lua "$seed"
  hunt tests/explore/racy_call_by_name_during_restart.lua scenarios/call_by_name_retries_through_a_restart.lua "$seed"
done

# the racy versions pass the unperturbed schedule (first in, first run;
# deterministic, so not at the mercy of a loaded machine): only some
# interleavings break them
for race in tests/explore/*.lua; do
  timeout 60 "$OTPLAB" run --reductions 100000 --virtual-time --log-level none "$race" >/dev/null 2>&1 ||
    fail "$race fails the unperturbed schedule"
done

# every scenario, a few explored runs each
for f in scenarios/*.lua; do
  timeout 120 "$OTPLAB" explore "$f" --runs 3 --seed 7 >"$tmp/s" 2>&1 ||
    fail "$f fails under explore: $(head -n 20 "$tmp/s")"
done

usage() {  # usage EXPECTED-TEXT ARGS...
  local want=$1
  shift
  "$OTPLAB" explore "$@" >"$tmp/u" 2>&1
  local rc=$?
  [ "$rc" -eq 2 ] || fail "explore $*: exit $rc, expected 2"
  grep -q -- "$want" "$tmp/u" || fail "explore $*: expected '$want' in: $(head -n 2 "$tmp/u")"
}
usage 'which file' --runs 3
usage '--runs needs a whole number of runs from 1' scenarios --runs 0
usage 'cannot read' "$tmp/missing.lua"
usage "unknown option '--bogus'" --bogus scenarios/register_race_settled_by_register_itself.lua

finish
