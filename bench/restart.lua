-- bench/restart.lua R: supervisor restart latency.
--
-- A one_for_one supervisor with one gen_server child whose init tells this
-- process it ran. Kill the child (exit kill) and time until the restarted
-- child's init has run. Median of R restarts.
--
--   build/otplab run bench/restart.lua [R=1000]
--   -> restart restart_us=<float> n=<R>
--
-- Twin: bench/erlang/restart.erl.

local R = math.tointeger(tonumber(arg and arg[1] or 1000))
assert(R and R >= 1, "usage: restart.lua [R>=1]")
otp.log_level("none")      -- no crash reports: the BEAM twin silences its logger too
local gen_server, supervisor = otp.gen_server, otp.supervisor
local me = otp.self()

local worker = {}
function worker.init(bench)
  otp.send(bench, {"init_done", otp.self()})
  return "ok", bench
end
function worker.handle_call(req, from, state) return "reply", req, state end

local sup = assert(supervisor.start_link{
  strategy = "one_for_one", intensity = R + 10, period = 3600,
  children = {{id = "w", start = {function(bench) return gen_server.start_link(worker, bench) end, me}}},
})
local child = otp.receive(otp.match{"init_done"}, 5000)[2]

local now = otp.monotonic_time
local times = {}
for i = 1, R do
  local t0 = now("nanosecond")
  otp.exit(child, "kill")
  child = otp.receive(otp.match{"init_done"}, 5000)[2]
  times[i] = now("nanosecond") - t0
end
table.sort(times)
print(string.format("restart restart_us=%.3f n=%d", times[(R + 1) // 2] / 1000, R))
