#!/usr/bin/env bash
# Proves: `require` of a sibling module works wherever otplab is started
# from (API.md section 9: `require` also looks in FILE's own folder), for
# `otplab run` and for `otplab test`.
set -u
. "$(dirname "$0")/lib/checks.bash"

mkdir -p "$tmp/project/sub"
printf 'return {greet = function() return "hello from a sibling" end}\n' >"$tmp/project/sibling_helper.lua"
printf 'print(require("sibling_helper").greet())\n' >"$tmp/project/main.lua"
printf 'return {n = 42}\n' >"$tmp/project/sub/init.lua"
printf 'assert(require("sub").n == 42)\nassert(require("sibling_helper").greet())\n' >"$tmp/project/uses_sub.lua"

timeout 20 "$OTPLAB" run "$tmp/project/main.lua" >"$tmp/out" 2>"$tmp/err" ||
  fail "run from elsewhere: exit $? ($(head -c 300 "$tmp/err"))"
grep -qx 'hello from a sibling' "$tmp/out" || fail "run: the sibling's answer is missing: $(cat "$tmp/out")"
timeout 20 "$OTPLAB" test "$tmp/project/uses_sub.lua" >"$tmp/out" 2>"$tmp/err" ||
  fail "test from elsewhere: exit $? ($(cat "$tmp/out") $(head -c 300 "$tmp/err"))"

[ "$failures" -eq 0 ]
