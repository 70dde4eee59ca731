#!/usr/bin/env bash
# Proves: every lesson runs straight through under `otplab lesson N` and
# exits 0 (each one checks what it claims with otp.expect, and each exercise
# checks that its check fails before the reference solution and holds after
# it), with its narration on stdout ending with the pointer to the next lesson;
# and that every lesson has an exercise (as the README says).
set -u
OTPLAB=${OTPLAB:-build/otplab}
failures=0
for lesson in lessons/[0-9]*_*.lua; do
  n=$(basename "$lesson" | sed 's/_.*//; s/^0*//')
  out=$(timeout 60 "$OTPLAB" lesson "$n" 2>&1)
  status=$?
  last=$(printf '%s' "$out" | tail -1)
  if [ "$status" -ne 0 ]; then
    echo "FAIL: lesson $n ($lesson) exited $status: $(printf "%s" "$out" | grep -m1 "expectation failed"; printf "%s" "$out" | tail -5)" >&2
    failures=$((failures + 1))
  elif ! printf '%s' "$out" | grep -Fq "(reference solution: the check holds)"; then
    echo "FAIL: lesson $n ($lesson) has no exercise" >&2
    failures=$((failures + 1))
  elif ! printf '%s' "$last" | grep -Eq "^(Next: lesson $((n + 1)), .* \(otplab lesson $((n + 1))\)|That was the last lesson)"; then
    echo "FAIL: lesson $n does not end by pointing at lesson $((n + 1)): '$last'" >&2
    failures=$((failures + 1))
  fi
done
exit $((failures > 0))
