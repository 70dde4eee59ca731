#!/usr/bin/env bash
# Runs every other tests/cli/*.sh from the repository root, shows the output
# of those that fail, and ends with "N passed, N failed" (exit 1 on failure).
# OTPLAB (default build/otplab) is the binary under test.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
OTPLAB=${OTPLAB:-build/otplab}
case "$OTPLAB" in
  /*) ;;
  */*) OTPLAB="$(pwd)/$OTPLAB"; [ -x "$OTPLAB" ] || OTPLAB="$root/${OTPLAB#"$(pwd)/"}" ;;
esac
export OTPLAB
cd "$root" || exit 1
if [ ! -x "$OTPLAB" ]; then
  echo "tests/cli/run.sh: no otplab binary at $OTPLAB (build it, or set OTPLAB)" >&2
  exit 1
fi

passed=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for t in "$here"/*.sh; do
  name=$(basename "$t")
  [ "$name" = "run.sh" ] && continue
  start=$(date +%s%N)
  bash "$t" >"$out" 2>&1
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  if [ "$rc" -eq 0 ]; then
    echo "ok    tests/cli/$name ($ms ms)"
    passed=$((passed + 1))
  else
    echo "FAIL  tests/cli/$name (exit $rc, $ms ms)"
    sed 's/^/    /' "$out"
    failed=$((failed + 1))
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
