-- bench/mem.lua N: memory per idle process.
--
-- Spawn N processes that each send "ready" to us and then block in
-- otp.receive(); once all are ready and report status "waiting", the result
-- is the growth of otp.memory("total") divided by N. Both readings follow a
-- full collectgarbage("collect"). The bookkeeping table of pids is dropped
-- before the second reading, so only the processes themselves are counted.
--
-- Definition (shared with bench/erlang/mem.erl, which uses
-- erlang:memory(total)): whole-runtime memory growth / N.
--
--   build/otplab run bench/mem.lua [N=10000]
--   -> mem bytes_per_proc=<float> n=<N>

-- The idle process: announce itself, then wait forever.
local function idle(parent)
  local otp = otp
  otp.send(parent, "ready")
  otp.receive()
end

local N = math.tointeger(tonumber(arg and arg[1] or 10000))
assert(N and N >= 1, "usage: mem.lua [N>=1]")

local me = otp.self()

collectgarbage("collect")
local before = otp.memory("total")

local pids = {}
for i = 1, N do
  pids[i] = otp.spawn(idle, me)
end
for _ = 1, N do
  otp.receive(function(m) return m == "ready" end)
end
-- Having sent "ready" a process may not have reached its receive yet.
for i = 1, N do
  while true do
    local status = otp.process_info(pids[i], "status")
    if status == "waiting" then break end
    if status == nil then error("idle process " .. tostring(pids[i]) .. " died") end
    otp.yield()
  end
end
pids = nil

collectgarbage("collect")
local after = otp.memory("total")

io.write(("mem bytes_per_proc=%.1f n=%d\n"):format((after - before) / N, N))
