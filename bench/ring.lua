-- bench/ring.lua N M: message throughput around a ring of processes.
--
-- The ring is N processes: this script's main process plus N-1 spawned
-- workers, so one lap is exactly N messages and a run is N*M messages.
-- The token is a table {"token", k}; every hop sends a fresh table with
-- k + 1, so when the token comes back for the last time k must equal N*M.
-- One untimed warm-up lap first; then the clock runs from the first send
-- until the last return.
--
--   build/otplab run bench/ring.lua [N=1000] [M=100]
--   -> ring msgs_per_s=<float> n=<N> m=<M>
--
-- Twin: bench/erlang/ring.erl does the same work with a tuple {token, K}.

-- The ring itself is in bench/ring_core.lua (shared with traced_ring.lua).

local N = math.tointeger(tonumber(arg and arg[1] or 1000))
local M = math.tointeger(tonumber(arg and arg[2] or 100))
assert(N and N >= 1 and M and M >= 1, "usage: ring.lua [N>=1] [M>=1]")

local ring = dofile((arg[0]:match("^(.*/)") or "") .. "ring_core.lua")
local total, us = ring(N, M)
io.write(("ring msgs_per_s=%.1f n=%d m=%d\n"):format(total * 1e6 / us, N, M))
