-- bench/receive_timeout_wakeup.lua S K B: how late a 1 ms receive timeout
-- wakes its process.
--
-- S sleepers each wait K times in otp.receive(nil, 1) while B busy
-- processes spawn in a loop (each child gets a message and ends). Reports
-- the mean and the worst wake-up (from the wait's start to the process
-- running again) and the node's CPU time during the worst one: a worst
-- wake-up with little CPU in it is the machine's other work holding the
-- node off the CPU, one with as much CPU as wall time is the node running
-- something else first.
--
--   build/otplab run bench/receive_timeout_wakeup.lua [S=10] [K=1000] [B=1]
--   -> receive_timeout_wakeup mean_ms=<float> worst_ms=<float> worst_cpu_ms=<float>
--
-- Run several copies at once to see it under load.

local S = math.tointeger(tonumber(arg and arg[1] or 10))
local K = math.tointeger(tonumber(arg and arg[2] or 1000))
local B = math.tointeger(tonumber(arg and arg[3] or 1))
assert(S and S >= 1 and K and K >= 1 and B and B >= 0, "usage: receive_timeout_wakeup.lua [S>=1] [K>=1] [B>=0]")

local now, receive, send = otp.monotonic_time, otp.receive, otp.send
local parent = otp.self()

local function sleeper()
  local worst, worst_cpu, sum = 0, 0, 0
  for _ = 1, K do
    local t0, c0 = now("microsecond"), os.clock()
    receive(nil, 1)
    local late = now("microsecond") - t0
    sum = sum + late
    if late > worst then worst, worst_cpu = late, (os.clock() - c0) * 1e6 end
  end
  send(parent, {"slept", worst, worst_cpu, sum / K})
end

-- (this loop's length once made every look for the end of otp.spawn's
-- unyieldable chunk land inside it: the node was held for the 2 s stuck limit)
local function busy()
  local n = 0
  while true do
    local p = otp.spawn(function() local _ = otp.receive(nil, 1) end)
    otp.send(p, "go")
    n = n + 1
    local m = otp.receive(function(m) return m == "stop" and m end, 0)
    if m then break end
  end
end

local busies = {}
for i = 1, B do busies[i] = otp.spawn(busy) end
for _ = 1, S do otp.spawn(sleeper) end
local worst, worst_cpu, mean = 0, 0, 0
local slept = otp.match{"slept"}
for _ = 1, S do
  local m = receive(slept)
  mean = mean + m[4] / S
  if m[2] > worst then worst, worst_cpu = m[2], m[3] end
end
for _, pid in ipairs(busies) do send(pid, "stop") end
print(string.format("receive_timeout_wakeup mean_ms=%.2f worst_ms=%.1f worst_cpu_ms=%.1f",
                    mean / 1000, worst / 1000, worst_cpu / 1000))
