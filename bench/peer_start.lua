-- bench/peer_start.lua N: how long otp.peer takes to start a node (a child
-- otplab, connected back) and to stop it (its OS process gone, its
-- connection down), N times one after the other.
--
--   build/otplab run bench/peer_start.lua [N=10]
--   -> peer_start n=N start_ms_mean=<float> start_ms_worst=<float> stop_ms_mean=<float> stop_ms_worst=<float>
--
-- Names the node itself if it has no name (otp.net_kernel.start).
local N = math.tointeger(tonumber(arg and arg[1] or 10))
assert(N and N >= 1, "usage: peer_start.lua [N>=1]")
if otp.node() == "nonode@nohost" then assert(otp.net_kernel.start()) end
local now = otp.monotonic_time
local starts, stops = {}, {}
for i = 1, N do
  local t0 = now("microsecond")
  local node = assert(otp.peer.start_link{})
  local t1 = now("microsecond")
  otp.peer.stop(node)
  local t2 = now("microsecond")
  starts[i], stops[i] = (t1 - t0) / 1000, (t2 - t1) / 1000
end
local function stats(t)
  local sum, worst = 0, 0
  for _, v in ipairs(t) do sum = sum + v; worst = math.max(worst, v) end
  return sum / #t, worst
end
local sm, sw = stats(starts)
local pm, pw = stats(stops)
print(string.format("peer_start n=%d start_ms_mean=%.1f start_ms_worst=%.1f stop_ms_mean=%.1f stop_ms_worst=%.1f",
                    N, sm, sw, pm, pw))
