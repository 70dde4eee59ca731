#!/usr/bin/env bash
# Proves (issue 9 class 6, issue 10 units): --max-memory and --max-heap take
# megabytes or a size with a unit; a negative, malformed, overflowing or
# too-small size is a usage error (exit 2) that says the valid range, never a
# silent wrap to a tiny cap.
set -u
. "$(dirname "$0")/lib/checks.bash"
echo 'print(otp.memory("total") > 0)' >"$tmp/ok.lua"

for bad in "--max-memory -1" "--max-heap -5" "--max-memory 17592186044417" \
           "--max-memory 16XB" "--max-memory 1.5" "--max-memory 512KB" "--max-heap 1KB"; do
  # shellcheck disable=SC2086
  timeout 20 "$OTPLAB" run $bad "$tmp/ok.lua" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] || fail "$bad: exit status $rc, expected 2"
  grep -q 'needs a size from' "$tmp/err" || fail "$bad: stderr does not say the range ($(cat "$tmp/err"))"
  [ -s "$tmp/out" ] && fail "$bad: the script ran"
done
# shellcheck disable=SC2086
timeout 20 "$OTPLAB" run --max-memory 512KB "$tmp/ok.lua" 2>"$tmp/err"
grep -q 'from 1024KB' "$tmp/err" || fail "--max-memory 512KB: the minimum is not named ($(cat "$tmp/err"))"

for good in "--max-memory 64" "--max-memory 64MB" "--max-memory 1gb" "--max-memory 2G" \
            "--max-heap 512KB" "--max-heap 8KB" "--max-heap 512k"; do
  # shellcheck disable=SC2086
  timeout 20 "$OTPLAB" run $good "$tmp/ok.lua" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 0 ] || fail "$good: exit status $rc, expected 0 ($(head -c 300 "$tmp/err"))"
  grep -qx true "$tmp/out" || fail "$good: the script did not run"
done

finish
