#!/usr/bin/env bash
# Proves: `otplab test DIR` (API.md section 7) runs every *.lua under DIR as
# an isolated scenario, prints one line per file and ends with
# "N passed, N failed", exiting 1 if any failed; --filter TEXT runs only the
# files whose path contains TEXT; files that are not *.lua, and helpers whose
# name starts with "_", are not run.
set -u
. "$(dirname "$0")/lib/checks.bash"

mkdir -p "$tmp/suite/nested"
printf 'assert(1 + 1 == 2)\n' >"$tmp/suite/good_scenario.lua"
printf 'error("this scenario fails on purpose")\n' >"$tmp/suite/nested/bad_scenario.lua"
printf 'error("not a scenario")\n' >"$tmp/suite/notes.txt"
printf 'error("a helper, not a scenario")\n' >"$tmp/suite/_helper.lua"

timeout 60 "$OTPLAB" test "$tmp/suite" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "one failing scenario: exit status $rc, expected 1"
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 1 failed" ] ||
  fail "summary line is '$(tail -n 1 "$tmp/out")', expected '1 passed, 1 failed'"
grep -q 'good_scenario.lua' "$tmp/out" || fail "no line for good_scenario.lua"
grep -q 'bad_scenario.lua' "$tmp/out" || fail "no line for bad_scenario.lua"
grep -q 'this scenario fails on purpose' "$tmp/out" || fail "the failing scenario's reason is not shown"
grep -q 'notes.txt' "$tmp/out" && fail "a .txt file was run as a scenario"
grep -q '_helper.lua' "$tmp/out" && fail "a _helper.lua file was run as a scenario"

timeout 60 "$OTPLAB" test --filter good "$tmp/suite" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "--filter good: exit status $rc, expected 0"
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 0 failed" ] ||
  fail "--filter good: summary '$(tail -n 1 "$tmp/out")', expected '1 passed, 0 failed'"
grep -q 'bad_scenario.lua' "$tmp/out" && fail "--filter good still ran bad_scenario.lua"

timeout 60 "$OTPLAB" test --filter nested "$tmp/suite" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "--filter nested: exit status $rc, expected 1"
[ "$(tail -n 1 "$tmp/out")" = "0 passed, 1 failed" ] ||
  fail "--filter nested: summary '$(tail -n 1 "$tmp/out")', expected '0 passed, 1 failed'"

# A single file as PATH, and a scenario that crashes the whole otplab
# process cannot take the runner down.
printf 'os.exit(3)\n' >"$tmp/suite/exits_hard.lua"
timeout 60 "$OTPLAB" test "$tmp/suite/good_scenario.lua" "$tmp/suite/exits_hard.lua" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "file paths with one hard exit: exit status $rc, expected 1"
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 1 failed" ] ||
  fail "file paths: summary '$(tail -n 1 "$tmp/out")', expected '1 passed, 1 failed'"

# A scenario that never ends is stopped by --timeout and counted as failed.
mkdir -p "$tmp/hang"
printf 'while true do end\n' >"$tmp/hang/spins_forever.lua"
timeout 30 "$OTPLAB" test --timeout 2 "$tmp/hang" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 124 ] && fail "--timeout 2: the runner itself hung"
[ "$rc" -eq 1 ] || fail "--timeout 2 on a spinning scenario: exit status $rc, expected 1"
[ "$(tail -n 1 "$tmp/out")" = "0 passed, 1 failed" ] ||
  fail "--timeout 2: summary '$(tail -n 1 "$tmp/out")', expected '0 passed, 1 failed'"
grep -q 'spins_forever.lua' "$tmp/out" || fail "--timeout 2: no line for the spinning scenario"

timeout 20 "$OTPLAB" test "$tmp/no_such_dir" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "a missing PATH: exit status $rc, expected 2"

# no PATH outside a project: says there is no scenario folder, exit 2
mkdir -p "$tmp/empty"
otplab_abs="$(cd "$(dirname "$OTPLAB")" && pwd)/$(basename "$OTPLAB")"
(cd "$tmp/empty" && timeout 20 "$otplab_abs" test) >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "no PATH and no scenarios/ or tests/lua/: exit status $rc, expected 2"
grep -q 'no scenario folder' "$tmp/err" || fail "no PATH outside a project: stderr '$(cat "$tmp/err")'"
[ -s "$tmp/out" ] && fail "no PATH outside a project: a summary was printed: $(cat "$tmp/out")"

finish
