#!/usr/bin/env bash
# Proves: `otplab help`, `otplab help run` and `otplab version` (API.md
# section 7) print to stdout and exit 0: help lists the commands, help run
# lists run's options, version prints "otplab X.Y.Z"; `otplab CMD --help`
# prints CMD's help.
set -u
. "$(dirname "$0")/lib/checks.bash"

timeout 10 "$OTPLAB" help >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "otplab help: exit status $rc"
for word in run test console version help; do
  grep -qw "$word" "$tmp/out" || fail "otplab help: does not mention '$word' on stdout"
done

timeout 10 "$OTPLAB" help run >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "otplab help run: exit status $rc"
for opt in --reductions --max-memory --max-heap; do
  grep -q -- "$opt" "$tmp/out" || fail "otplab help run: does not list $opt on stdout"
done
grep -q 'FILE' "$tmp/out" || fail "otplab help run: no usage line with FILE"

timeout 10 "$OTPLAB" help test >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "otplab help test: exit status $rc"
grep -q -- '--filter' "$tmp/out" || fail "otplab help test: does not list --filter"

timeout 10 "$OTPLAB" help console >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "otplab help console: exit status $rc"
grep -q 'usage: otplab console' "$tmp/out" || fail "otplab help console: no usage line"
grep -q 'history' "$tmp/out" || fail "otplab help console: does not say where history is kept"

timeout 10 "$OTPLAB" version >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "otplab version: exit status $rc"
grep -Eq '^otplab [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out" || fail "otplab version printed '$(head -c 200 "$tmp/out")'"

timeout 10 "$OTPLAB" help no-such-command >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || fail "otplab help no-such-command: exit status $rc, expected 2"

# `otplab CMD --help` (or -h) is `otplab help CMD`: it runs nothing (serve
# would otherwise start a server) and exits 0
for cmd in run test explore console serve lessons lesson; do
  for flag in --help -h; do
    timeout 10 "$OTPLAB" "$cmd" "$flag" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    [ "$rc" -eq 0 ] || fail "otplab $cmd $flag: exit status $rc ($(head -c 200 "$tmp/err"))"
    grep -q "usage: otplab $cmd" "$tmp/out" || fail "otplab $cmd $flag: no usage line on stdout"
    [ -s "$tmp/err" ] && fail "otplab $cmd $flag: wrote to stderr: $(head -c 200 "$tmp/err")"
  done
done

finish
