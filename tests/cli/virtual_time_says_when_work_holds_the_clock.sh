#!/usr/bin/env bash
# Proves: under --virtual-time (API.md, Virtual time) the clock moves only
# when every process waits, so a loop that polls the clock beside a pending
# timer would spin for ever; otplab says so on stderr once (after 5 s of
# real time), naming the running process and where it runs, and what to do.
# A run whose processes wait gets no such note.
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/held.lua" <<'LUA'
otp.send_after(50, otp.self(), "tick")
local t0 = otp.monotonic_time()
while otp.monotonic_time() - t0 < 200 do end
LUA
exec 3< <(exec timeout 120 "$OTPLAB" run --virtual-time "$tmp/held.lua" 2>&1 >/dev/null)
runner=$!
trap 'kill "$runner" 2>/dev/null; rm -rf "$tmp"' EXIT
: >"$tmp/err"
while IFS= read -r -u 3 line; do             # bounded by the timeout above
  printf '%s\n' "$line" >>"$tmp/err"
  case $line in *"run without --virtual-time"*) break ;; esac
done
kill "$runner" 2>/dev/null
exec 3<&-
grep -q 'the virtual clock has stood still' "$tmp/err" || fail "no note about the held clock: $(cat "$tmp/err")"
grep -q "running at $tmp/held.lua:3" "$tmp/err" || fail "the note does not say where the process runs: $(cat "$tmp/err")"
[ "$(grep -c 'stood still' "$tmp/err")" -eq 1 ] || fail "the note was said more than once: $(cat "$tmp/err")"

cat >"$tmp/waits.lua" <<'LUA'
otp.send_after(50, otp.self(), "tick")
assert(otp.receive() == "tick")
otp.sleep(3600 * 1000)
print("done at", otp.monotonic_time())
LUA
timeout 60 "$OTPLAB" run --virtual-time "$tmp/waits.lua" >"$tmp/out" 2>"$tmp/err2" || fail "a waiting run failed: $(cat "$tmp/err2")"
grep -qx $'done at\t3600050' "$tmp/out" || fail "the waiting run: $(cat "$tmp/out")"
[ -s "$tmp/err2" ] && fail "a waiting run printed: $(cat "$tmp/err2")"
finish
