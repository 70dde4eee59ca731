#!/usr/bin/env bash
# Proves (API.md section 8): with stdin not a terminal the console reads and
# evaluates line by line: `echo 'demo(); tree()' | otplab console` prints the
# demo tree; values print without colour; an incomplete chunk continues on
# the next line; errors are printed and the next line still runs; end of
# input ends the console with status 0.
set -u
. "$(dirname "$0")/lib/checks.bash"

echo 'demo(); tree()' | timeout 20 "$OTPLAB" console >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "demo(); tree(): exit status $rc ($(cat "$tmp/err"))"
grep -Eq '^demo_sup <0\.[0-9]+\.0> one_for_one, restarts 0 \[---\] 0 of 3 in 5 s$' "$tmp/out" ||
  fail "tree() has no demo_sup line: $(head -c 400 "$tmp/out")"
for child in counter_a counter_b printer producer transformer consumer worker_1 worker_2 worker_3; do
  grep -Eq "(├─|└─) $child <0\.[0-9]+\.0> worker" "$tmp/out" || fail "tree() does not show $child"
done
grep -Eq '(├─|└─) pipeline <0\.[0-9]+\.0> rest_for_one' "$tmp/out" || fail "tree() does not show pipeline"
awk 'length($0) > 80 { exit 1 }' "$tmp/out" || fail "tree() has lines wider than 80 columns"

printf '%s\n' 'function add(a, b)' 'return a + b' 'end' 'add(40, 2)' 'x = = 1' 'boom()' \
  '{1, "two", k = true}' | timeout 20 "$OTPLAB" console >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "multi-line input: exit status $rc"
grep -qx '42' "$tmp/out" || fail "a three-line function did not give 42: $(cat "$tmp/out")"
grep -q "^error: console:1: unexpected symbol near '='" "$tmp/out" || fail "no syntax error shown"
grep -q "^error: console:1: attempt to call a nil value (global 'boom')" "$tmp/out" ||
  fail "no runtime error shown"
grep -qx '{1, "two", k = true}' "$tmp/out" || fail "the table after the errors was not printed"
if grep -q $'\e\[' "$tmp/out"; then fail "colour codes on a pipe"; fi

printf '%s\n' 'demo()' 'kill("counter_b")' 'kill("counter_b", 42)' | \
  timeout 20 "$OTPLAB" console >"$tmp/out" 2>"$tmp/err"
grep -Eq '^counter_b <0\.[0-9]+\.0> killed; demo_sup restarted it as <0\.[0-9]+\.0> in [0-9]+ us$' \
  "$tmp/out" || fail "kill() did not say what followed: $(cat "$tmp/out")"
grep -q '^error: badarg: a pid, a registered name or "0.3.0" is needed' "$tmp/out" &&
  fail "kill with a reason was refused"

# C8, C7: kill() names the siblings a group strategy restarted with the child
printf '%s\n' 'demo()' 'kill("transformer")' 'kill("worker_2")' | \
  timeout 20 "$OTPLAB" console >"$tmp/out" 2>"$tmp/err"
grep -Eq '^transformer <0\.[0-9]+\.0> killed; pipeline restarted it as <0\.[0-9]+\.0> in [0-9]+ us, and with it consumer <0\.[0-9]+\.0> -> <0\.[0-9]+\.0> \(rest_for_one\)$' \
  "$tmp/out" || fail "kill() of a rest_for_one child did not name the consumer: $(cat "$tmp/out")"
grep -Eq '^worker_2 <0\.[0-9]+\.0> killed; pool restarted it as <0\.[0-9]+\.0> in [0-9]+ us, and with it worker_1 <0\.[0-9]+\.0> -> <0\.[0-9]+\.0>, worker_3 <0\.[0-9]+\.0> -> <0\.[0-9]+\.0> \(one_for_all\)$' \
  "$tmp/out" || fail "kill() of a one_for_all child did not name both siblings: $(cat "$tmp/out")"

printf '%s\n' 'many = otp.dynamic_supervisor.start_link{name = "many"}' \
  'for i = 1, 30 do otp.dynamic_supervisor.start_child(many, {id = "w", start = {function() return otp.spawn_link(function() otp.receive() end) end}}) end' \
  'tree()' | timeout 20 "$OTPLAB" console >"$tmp/out" 2>"$tmp/err"
grep -q '^└─ \.\.\. 10 more children$' "$tmp/out" ||
  fail "a tree with 30 children is not cut to 20 and '... 10 more children': $(head -c 600 "$tmp/out")"
[ "$(grep -c '^├─ ' "$tmp/out")" -eq 20 ] || fail "tree() did not show the first 20 of 30 children"

echo 'kill()' | timeout 20 "$OTPLAB" console >"$tmp/out" 2>&1
grep -q '^error: badarg: .*usage: kill(p\[, reason = "kill"\])' "$tmp/out" ||
  fail "kill() without arguments gave no usage line: $(cat "$tmp/out")"

timeout 20 "$OTPLAB" console </dev/null >"$tmp/out" 2>&1
rc=$?
[ "$rc" -eq 0 ] || fail "console with empty stdin: exit status $rc"

finish
