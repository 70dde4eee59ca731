# Sourced by tests/cli/*.sh: what a test of the otplab binary starts with.
#   - OTPLAB: the binary under test (default build/otplab);
#   - tmp: a fresh folder, removed on exit (a test that sets its own EXIT
#     trap removes it there);
#   - fail WHAT: records a failure and says what it was; finish: exits 1
#     with the count if any was recorded.
OTPLAB=${OTPLAB:-build/otplab}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
finish() { [ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }; }
