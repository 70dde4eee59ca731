#!/usr/bin/env bash
# Proves (issue 9 class 6): `otplab test DIR` does not follow symlinks to
# directories inside DIR (a link to "..", to the directory itself, to
# /proc/self) and never walks one directory twice, even when two given paths
# name it: each scenario runs exactly once.
set -u
. "$(dirname "$0")/lib/checks.bash"

mkdir -p "$tmp/suite/nested"
printf 'assert(1 + 1 == 2)\n' >"$tmp/suite/top_scenario.lua"
printf 'assert(2 + 2 == 4)\n' >"$tmp/suite/nested/inner_scenario.lua"
ln -s .. "$tmp/suite/nested/up"
ln -s . "$tmp/suite/self"
ln -s /proc/self "$tmp/suite/proc_self"
ln -s "$tmp/suite/nested" "$tmp/suite/nested_again"

timeout 60 "$OTPLAB" test "$tmp/suite" "$tmp/suite/nested" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc, expected 0 ($(head -c 300 "$tmp/err"))"
[ "$(tail -n 1 "$tmp/out")" = "2 passed, 0 failed" ] ||
  fail "summary line is '$(tail -n 1 "$tmp/out")', expected '2 passed, 0 failed'"
[ "$(grep -c 'inner_scenario.lua' "$tmp/out")" -eq 1 ] || fail "inner_scenario.lua did not run exactly once"
[ "$(grep -c 'top_scenario.lua' "$tmp/out")" -eq 1 ] || fail "top_scenario.lua did not run exactly once"

# a symlink given on the command line is what the user asked for: it is walked
timeout 60 "$OTPLAB" test "$tmp/suite/nested_again" >"$tmp/out" 2>"$tmp/err"
[ "$(tail -n 1 "$tmp/out")" = "1 passed, 0 failed" ] ||
  fail "a symlinked directory given by name: '$(tail -n 1 "$tmp/out")', expected '1 passed, 0 failed'"

finish
