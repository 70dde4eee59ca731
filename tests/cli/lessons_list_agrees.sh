#!/usr/bin/env bash
# Proves: the lesson files' headers, `otplab lessons` and the README's course
# table list the same lessons, numbered alike, with the same titles; and each
# lesson's "Next:" line names the next lesson's title.
set -u
OTPLAB=${OTPLAB:-build/otplab}
fail() { echo "FAIL: $*" >&2; exit 1; }
files=$(for f in lessons/[0-9]*_*.lua; do
  sed -n '1s/^-- Lesson \([0-9]*\): \(.*\)$/\1|\2/p' "$f"; done | sort -n)
[ -n "$files" ] || fail "no lesson headers found"
count=$(ls lessons/[0-9]*_*.lua | wc -l)
[ "$(printf '%s\n' "$files" | wc -l)" -eq "$count" ] || fail "a lesson file lacks its '-- Lesson N: TITLE' header"
listed=$("$OTPLAB" lessons | sed -n 's/^ *\([0-9][0-9]*\)  \(.*\) - .*$/\1|\2/p')
[ "$files" = "$listed" ] || fail "otplab lessons differs from the files: $(diff <(echo "$files") <(echo "$listed"))"
readme=$(sed -n 's/^| \([0-9][0-9]*\) | \([^|]*\) |.*$/\1|\2/p' README.md | sed 's/ *$//')
[ "$files" = "$readme" ] || fail "README course table differs from the files: $(diff <(echo "$files") <(echo "$readme"))"
while IFS='|' read -r n title; do
  next=$(printf '%s\n' "$files" | awk -F'|' -v m=$((n + 1)) '$1 == m {print $2}')
  [ -z "$next" ] && continue
  f=$(ls lessons/$(printf '%02d' "$n")_*.lua)
  grep -Fq "next = \"$next\"" "$f" || fail "$f does not point at lesson $((n + 1)), '$next'"
done <<< "$files"
exit 0
