-- bench/ring_beside_server.lua: a FILE for `otplab serve` (bench/http.sh).
-- The demo tree (GET /api/v1/processes/counter_a needs it) and, on the same
-- node, a ring of N=1000 processes run round after round (M laps each),
-- each round printed as
--   ring_round msgs_per_s=<float> msgs_per_cpu_s=<float>
-- so the bench reads the ring's pace with the server idle and under wrk:
-- per second of wall-clock time, and per second of the node's CPU time
-- (os.clock: the server's work on the node's one thread is in it, other
-- programs on the machine are not).
-- BENCH_RING_ROUND_M sets M (default 200).
require("otp.demo").start({tick_ms = false})
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local ring = dofile(here .. "ring_core.lua")
local M = math.tointeger(tonumber(os.getenv("BENCH_RING_ROUND_M") or "200")) or 200
otp.spawn(function()
  otp.set_label("bench_ring")
  while true do
    local cpu0 = os.clock()
    local total, us = ring(1000, M)
    local cpu = math.max(os.clock() - cpu0, 1e-6)
    io.write(("ring_round msgs_per_s=%.1f msgs_per_cpu_s=%.1f\n"):format(total * 1e6 / us, total / cpu))
    io.stdout:flush()
  end
end)
