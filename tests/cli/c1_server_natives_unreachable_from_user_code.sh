#!/usr/bin/env bash
# Proves (C1: internal bindings are not reachable from user code): the API
# server's native functions (attach would take over every request the
# server receives, reply would answer them) are its own Lua files': a
# process of the FILE `otplab serve` runs cannot require "otp.net" nor see
# otp_internal, while the server still answers.
set -u
OTPLAB=${OTPLAB:-build/otplab}
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

cat >"$tmp/probe.lua" <<'LUA'
local ok = pcall(require, "otp.net")
print("probe", ok, package.loaded["otp.net"], otp_internal)
io.stdout:flush()
otp.receive()
LUA
for _ in 1 2 3 4 5; do              # a random port; another if it was taken
  port=$((20000 + RANDOM % 20000))
  "$OTPLAB" serve --port "$port" "$tmp/probe.lua" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 1 100); do          # bounded: up to 10 s for the first lines
    grep -q "^probe" "$tmp/out" && grep -q "http://" "$tmp/out" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && break
done
grep -qx $'probe\tfalse\tnil\tnil' "$tmp/out" || fail "user code reached the server's natives: $(cat "$tmp/out" "$tmp/err")"
url=$(grep -o 'http://[0-9.:]*' "$tmp/out" | head -1)
curl -sf "$url/api/v1/system/health" | grep -q '"success":true' || fail "the server does not answer at $url"
[ "$failures" -eq 0 ] && echo "ok: the server's natives are its own"
exit $((failures > 0))
