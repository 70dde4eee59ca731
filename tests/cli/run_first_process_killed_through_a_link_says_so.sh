#!/usr/bin/env bash
# Proves: when the first process dies of a linked process's exit (it did not
# trap exits, A5), `otplab run` names the linked process and its reason and
# suggests otp.trap_exit(true); a plain crash gets no such note.
set -u
. "$(dirname "$0")/lib/checks.bash"

printf 'local w = otp.spawn_link(function() otp.exit("shutdown") end)\nprint(w)\notp.receive()\n' >"$tmp/linked.lua"
timeout 20 "$OTPLAB" run "$tmp/linked.lua" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || fail "killed through a link: exit status $rc, expected 1"
w=$(head -n 1 "$tmp/out")
grep -q "killed through its link to $w, which exited with reason shutdown" "$tmp/err" ||
  fail "the report does not name the linked process $w and its reason: $(cat "$tmp/err")"
grep -q 'otp.trap_exit(true)' "$tmp/err" || fail "no trap_exit suggestion: $(cat "$tmp/err")"

printf 'error("plain crash")\n' >"$tmp/crash.lua"
timeout 20 "$OTPLAB" run "$tmp/crash.lua" >"$tmp/out" 2>"$tmp/err"
grep -q 'killed through its link' "$tmp/err" && fail "a plain crash got the link note: $(cat "$tmp/err")"

[ "$failures" -eq 0 ]
