-- bench/traced_ring.lua N M: bench/ring.lua's ring, traced.
--
-- The same work as bench/ring.lua (N processes, one untimed warm-up lap,
-- then N*M timed hops of a fresh {"token", k} table), while one trace
-- session records every send and every receive of all processes into a
-- bounded ring of 10,000 events:
--   otp.trace.start{kinds = {"send", "receive"}, max_events = 10000}
-- The session starts before the warm-up lap and stops after the last
-- return, so every timed hop emits two events (2*N*M in all; the ring keeps
-- the newest 10,000 and counts the rest as dropped).
--
--   build/otplab run bench/traced_ring.lua [N=1000] [M=100]
--   -> traced_ring msgs_per_s=<float> n=<N> m=<M> events=<kept> dropped=<n>
--
-- scripts/bench divides its rate by bench/ring.lua's ("traced ring /
-- untraced", target >= 0.5).
local N = math.tointeger(tonumber(arg and arg[1] or 1000))
local M = math.tointeger(tonumber(arg and arg[2] or 100))
assert(N and N >= 1 and M and M >= 1, "usage: traced_ring.lua [N>=1] [M>=1]")

local ring = dofile((arg[0]:match("^(.*/)") or "") .. "ring_core.lua")
local session
local total, us = ring(N, M, function(when)
  if when == "start" then
    session = otp.trace.start{kinds = {"send", "receive"}, max_events = 10000}
  else
    session:stop()
  end
end)
local st = session:status()
assert(st.events == math.min(10000, 2 * N * (M + 1)),
       ("the ring holds %s events"):format(tostring(st.events)))
io.write(("traced_ring msgs_per_s=%.1f n=%d m=%d events=%d dropped=%d\n"):format(
  total * 1e6 / us, N, M, st.events, st.dropped))
