#!/usr/bin/env bash
# Proves: under --virtual-time (API.md section 7) the clock stands still
# while processes run and jumps to the next deadline when all of them wait:
# sleeps, receive timeouts (`after T`), send_after/start_timer (delivered in
# deadline order, equal deadlines in start order: rule A14) and
# cancel_timer's remaining time are exact; system_time, os.time and
# monotonic_time agree; gen_server call timeouts (rule B1) and
# expect.eventually work; an hour passes at once; and a deadlock (nothing
# runnable, no timer) is still reported and ends the run (exit 1).
set -u
. "$(dirname "$0")/lib/checks.bash"

cat >"$tmp/clock.lua" <<'LUA'
local expect = otp.expect
local t0 = otp.monotonic_time()
expect.eq(t0, 0)                                   -- the virtual clock starts at 0
expect.eq(otp.system_time("second"), 1767225600)   -- 2026-01-01T00:00:00Z
expect.eq(os.time(), otp.system_time("second"))
local x = 0
for i = 1, 200000 do x = x + i end                 -- work takes no virtual time
expect.eq(otp.monotonic_time(), 0)
otp.sleep(1500)
expect.eq(otp.monotonic_time(), 1500)
expect.eq(otp.receive("never", 250), nil)          -- after 250
expect.eq(otp.monotonic_time(), 1750)
local me = otp.self()
otp.send_after(30, me, "c")
otp.send_after(10, me, "a")
otp.send_after(30, me, "d")                        -- same deadline as c: after it
otp.start_timer(20, me, "b")
local tref = otp.send_after(100, me, "cancelled")
expect.eq(otp.receive(), "a")
expect.eq(otp.monotonic_time(), 1760)
expect.eq(otp.receive()[3], "b")
expect.eq(otp.receive(), "c")
expect.eq(otp.receive(), "d")
expect.eq(otp.monotonic_time(), 1780)
expect.eq(otp.cancel_timer(tref), 70)              -- exactly what was left
expect.eq(otp.receive(nil, 0), nil)
otp.sleep(3600 * 1000)                             -- an hour, at once
expect.eq(otp.monotonic_time(), 1780 + 3600000)
-- a call that times out (B1) after exactly its timeout
local srv = otp.gen_server.start({
  init = function() return "ok", nil end,
  handle_call = function() otp.sleep(10000) return "reply", "late", nil end,
})
local t1 = otp.monotonic_time()
local ok, err = pcall(otp.gen_server.call, srv, "slow", 5000)
expect.falsy(ok)
expect.eq(err[2][1], "timeout")
expect.eq(otp.monotonic_time() - t1, 5000)
-- eventually: a condition that turns true at virtual 300 ms
local t2 = otp.monotonic_time()
otp.spawn(function() otp.sleep(300) otp.register("late", otp.self()) otp.receive() end)
expect.eventually(function() return otp.whereis("late") end, 1000)
expect.truthy(otp.monotonic_time() - t2 >= 300)
print("ok")
LUA
timeout 60 "$OTPLAB" run --virtual-time "$tmp/clock.lua" >"$tmp/out" 2>&1 ||
  fail "the clock scenario failed: $(head -c 2000 "$tmp/out")"
grep -qx ok "$tmp/out" || fail "the clock scenario did not finish"

printf 'otp.spawn(function() otp.sleep(100) end)\notp.receive()\n' >"$tmp/deadlock.lua"
timeout 60 "$OTPLAB" run --virtual-time "$tmp/deadlock.lua" >"$tmp/dl" 2>&1
rc=$?
[ "$rc" -eq 1 ] || fail "a deadlock under virtual time: exit $rc, expected 1"
grep -q 'otplab: deadlock' "$tmp/dl" || fail "the deadlock was not reported: $(head -c 300 "$tmp/dl")"

finish
