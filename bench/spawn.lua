-- bench/spawn.lua N: cost of creating and ending processes.
--
-- (a) batch: spawn N processes whose function returns at once, then poll
--     otp.statistics("process_count") (otp.yield() between checks) until it
--     is back to where it started; time per process, spawn to last exit.
-- (b) sequential: N times otp.spawn_monitor(fn) and a selective receive of
--     the {"DOWN", ref, ...} for that ref; time per process.
--
--   build/otplab run bench/spawn.lua [N=100000]
--   -> spawn batch_us=<float> monitor_us=<float> n=<N>
--
-- Twin: bench/erlang/spawn.erl.

-- The spawned body: no upvalues, nothing to copy.
local function noop() end

local N = math.tointeger(tonumber(arg and arg[1] or 100000))
assert(N and N >= 1, "usage: spawn.lua [N>=1]")

local spawn, spawn_monitor, receive = otp.spawn, otp.spawn_monitor, otp.receive
local statistics, yield, now = otp.statistics, otp.yield, otp.monotonic_time

-- (a) batch
local start = statistics("process_count")
local t0 = now("microsecond")
for _ = 1, N do
  spawn(noop)
end
while statistics("process_count") > start do
  yield()
end
local t1 = now("microsecond")
local batch_us = (t1 - t0) / N

-- (b) spawn + monitor + wait for DOWN, one at a time
t0 = now("microsecond")
for _ = 1, N do
  local _, ref = spawn_monitor(noop)
  local down = receive(function(m)
    return type(m) == "table" and m[1] == "DOWN" and m[2] == ref
  end)
  if down[5] ~= "normal" then
    error("unexpected DOWN reason: " .. tostring(down[5]))
  end
end
t1 = now("microsecond")
local monitor_us = (t1 - t0) / N

io.write(("spawn batch_us=%.3f monitor_us=%.3f n=%d\n"):format(batch_us, monitor_us, N))
