-- bench/call.lua N: gen_server call round trip, median of N calls.
--
--   build/otplab run bench/call.lua [N=10000]
--   -> call call_us=<float> n=<N>
--
-- Twin: bench/erlang/call.erl.

local N = math.tointeger(tonumber(arg and arg[1] or 10000))
assert(N and N >= 1, "usage: call.lua [N>=1]")
local gen_server = otp.gen_server

local echo = {}
function echo.init() return "ok", 0 end
function echo.handle_call(req, from, n) return "reply", req, n + 1 end

local server = assert(gen_server.start_link(echo))
local call, now = gen_server.call, otp.monotonic_time
for _ = 1, 100 do call(server, "warm") end
local times = {}
for i = 1, N do
  local t0 = now("nanosecond")
  call(server, i)
  times[i] = now("nanosecond") - t0
end
table.sort(times)
print(string.format("call call_us=%.3f n=%d", times[(N + 1) // 2] / 1000, N))
