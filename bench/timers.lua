-- bench/timers.lua N: N timers (otp.send_after) firing.
--
-- This process sets N timers to itself, the i-th due after 1 + i % 100 ms,
-- then receives the N messages. The time is from before the first
-- send_after to the last message received (at least the 100 ms of the
-- longest delay); set_ms is the part spent setting them.
--
--   build/otplab run bench/timers.lua [N=100000]
--   -> timers total_ms=<float> set_ms=<float> n=<N>
--
-- Twin: bench/erlang/timers.erl (erlang:send_after/3).

local N = math.tointeger(tonumber(arg and arg[1] or 100000))
assert(N and N >= 1, "usage: timers.lua [N>=1]")
local send_after, receive, now = otp.send_after, otp.receive, otp.monotonic_time
local me = otp.self()

local t0 = now("microsecond")
for i = 1, N do send_after(1 + i % 100, me, i) end
local t1 = now("microsecond")
for _ = 1, N do receive() end
local t2 = now("microsecond")
print(string.format("timers total_ms=%.3f set_ms=%.3f n=%d", (t2 - t0) / 1000, (t1 - t0) / 1000, N))
