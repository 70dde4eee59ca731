#!/usr/bin/env bash
# Proves (C1: internal bindings are not reachable from user code): the
# console's native functions (attach takes over the shell's globals) are the
# console library's own: require "otp.console.native" finds nothing, from the
# shell and from any process it spawns, while the console itself still works
# (it reads the lines, prints values, and its info() is there).
set -u
. "$(dirname "$0")/lib/checks.bash"

printf '%s\n' 'print("shell", (pcall(require, "otp.console.native")))' \
  'print("native", package.loaded["otp.console.native"])' \
  'otp.spawn(function() print("child", (pcall(require, "otp.console.native"))) end)' \
  'print("tty", require("otp.console").info().tty)' '40 + 2' |
  timeout 20 "$OTPLAB" console >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc ($(cat "$tmp/err"))"
grep -qx $'shell\tfalse' "$tmp/out" || fail "the shell can require the natives: $(cat "$tmp/out")"
grep -qx $'native\tnil' "$tmp/out" || fail "package.loaded has the natives: $(cat "$tmp/out")"
grep -qx $'child\tfalse' "$tmp/out" || fail "a child can require the natives: $(cat "$tmp/out")"
grep -qx $'tty\tfalse' "$tmp/out" || fail "console info() is missing: $(cat "$tmp/out")"
grep -qx '42' "$tmp/out" || fail "the console stopped evaluating: $(cat "$tmp/out")"
[ "$failures" -eq 0 ]
