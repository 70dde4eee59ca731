-- bench/dynsup.lua N: a dynamic supervisor with many children.
--
-- One dynamic supervisor; N gen_server workers started with start_child,
-- one after another, then stopped with terminate_child(sup, pid) in the
-- order they started. Time per child for each half, in wall-clock
-- microseconds. Run at two sizes, neither must grow with N (a child found
-- by a scan, or a child list moved on each change, would).
--
--   build/otplab run bench/dynsup.lua N
--   -> dynsup start_us=<float> stop_us=<float> children=<N>
--
-- Twin: bench/erlang/dynsup.erl (a simple_one_for_one supervisor).

local N = math.tointeger(tonumber(arg and arg[1] or 10000))
assert(N and N >= 1, "usage: dynsup.lua N>=1")
local gen_server, ds, now = otp.gen_server, otp.dynamic_supervisor, otp.monotonic_time

local worker = {}
function worker.init() return "ok", 0 end
function worker.handle_call(_, _, n) return "reply", n, n end

local sup = assert(ds.start_link{})
local spec = {start = {gen_server.start_link, worker, nil}}
local pids = {}

local t0 = now("microsecond")
for i = 1, N do
  pids[i] = ds.start_child(sup, spec) or error("start_child failed at child " .. i)
end
local t1 = now("microsecond")
for i = 1, N do
  if ds.terminate_child(sup, pids[i]) ~= true then error("terminate_child failed at child " .. i) end
end
local t2 = now("microsecond")

local left = ds.count_children(sup).workers
if left ~= 0 then error(left .. " children left after terminating every one") end
io.write(("dynsup start_us=%.3f stop_us=%.3f children=%d\n"):format((t1 - t0) / N, (t2 - t1) / N, N))
