#!/usr/bin/env bash
# Proves: every lesson runs straight through and exits 0 (each one asserts
# what it shows, so a lesson that would teach something otplab no longer
# does fails here), with its narration on stdout.
set -u
OTPLAB=${OTPLAB:-build/otplab}
failures=0
for lesson in lessons/*.lua; do
  out=$(timeout 60 "$OTPLAB" run "$lesson" 2>&1)
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "FAIL: $lesson exited $status: $(printf '%s' "$out" | tail -5)" >&2
    failures=$((failures + 1))
  elif [ -z "$out" ]; then
    echo "FAIL: $lesson printed nothing" >&2
    failures=$((failures + 1))
  fi
done
exit $((failures > 0))
