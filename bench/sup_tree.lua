-- bench/sup_tree.lua K [C]: starting a large supervision tree.
--
-- One one_for_one root over K one_for_one supervisors of C gen_server
-- workers each (C defaults to 10). The time is from the root's start_link
-- to its return (every child started, in order, before it returns),
-- divided by the K * C workers, in wall-clock time and in the CPU time of
-- the node (os.clock: on a loaded machine the steadier of the two). Run at
-- two sizes, the time per child must not grow with K.
--
--   build/otplab run bench/sup_tree.lua K [C=10]
--   -> sup_tree us_per_child=<float> cpu_us_per_child=<float> sups=<K> children=<K*C>
--
-- Twin: bench/erlang/sup_tree.erl.

local K = math.tointeger(tonumber(arg and arg[1] or 1000))
local C = math.tointeger(tonumber(arg and arg[2] or 10))
assert(K and K >= 1 and C and C >= 1, "usage: sup_tree.lua K>=1 [C>=1]")
local gen_server, supervisor = otp.gen_server, otp.supervisor

local worker = {}
function worker.init() return "ok", 0 end
function worker.handle_call(_, _, n) return "reply", n, n end

local subs = {}
for i = 1, K do
  local kids = {}
  for j = 1, C do kids[j] = {id = j, start = {gen_server.start_link, worker, nil}} end
  subs[i] = {id = i, type = "supervisor",
             start = {supervisor.start_link, {strategy = "one_for_one", children = kids}}}
end

local c0, t0 = os.clock(), otp.monotonic_time("nanosecond")
assert(supervisor.start_link{strategy = "one_for_one", children = subs})
local c1, t1 = os.clock(), otp.monotonic_time("nanosecond")
print(string.format("sup_tree us_per_child=%.3f cpu_us_per_child=%.3f sups=%d children=%d",
                    (t1 - t0) / 1000 / (K * C), (c1 - c0) * 1e6 / (K * C), K, K * C))
