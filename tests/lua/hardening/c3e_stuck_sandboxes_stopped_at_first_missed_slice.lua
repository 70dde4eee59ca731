-- C3e: a sandboxed process caught inside a call that cannot yield (a
-- __tostring that loops under tostring) is stopped at its first missed slice,
-- so the host's wait does not grow with the number of stuck sandboxed
-- processes. Eight of them loop there while a busy host process polls
-- for their DOWNs: the trace shows the host scheduled in between any two
-- sandbox deaths, every death carries the stuck error with the sandbox's
-- short limit, and a host process keeps the long limit (its sort of several
-- slices finishes).
local expect = otp.expect
local N = 8
local stuck_reason = "process ran more than 5 ms inside a call that cannot be preempted and was stopped"

expect.eq(otp.sandbox.create("c3e", {}), true)
local me = otp.self()
local session = otp.trace.start{pids = "all", kinds = {"sched_in", "exit"},
                                max_events = 1000000}
local ref_of, stuck = {}, {}
for _ = 1, N do
  -- spawned and monitored in one step: a loaded machine may preempt the host
  -- between two calls, and the sandboxed process would be gone (noproc)
  local pid, ref = otp.spawn_opt(function()
    -- a __tostring runs under tostring, a C call that cannot yield (a
    -- sandbox's sort yields: its comparator is no such place there)
    tostring(setmetatable({}, {__tostring = function() while true do end end}))
  end, {sandbox = "c3e", monitor = true})
  ref_of[ref], stuck[pid] = true, true
end

local is_down = otp.match{"DOWN"}
local downs = {}
while #downs < N do
  local m = otp.receive(is_down, 0)
  if m then
    expect.truthy(ref_of[m[2]], "a DOWN of one of the eight")
    ref_of[m[2]] = nil
    downs[#downs + 1] = m
  end
end
session:stop()
-- the host ran between any two sandbox deaths
local host_ran, deaths = true, 0
for _, ev in ipairs(session:events()) do
  if ev.kind == "sched_in" and ev.pid == me then
    host_ran = true
  elseif ev.kind == "exit" and stuck[ev.pid] then
    deaths = deaths + 1
    expect.truthy(host_ran, "the host was scheduled in before sandbox death " .. deaths)
    host_ran = false
  end
end
expect.eq(deaths, N, "the trace saw every sandbox death")
for i, m in ipairs(downs) do
  expect.eq(type(m[5]), "table", "DOWN " .. i .. " carries the stuck reason")
  expect.eq(m[5][1], "error")
  expect.eq(m[5][2], stuck_reason)
end

-- the short limit is the sandbox's: a host sort of several slices finishes
local pid, ref = otp.spawn_monitor(function()
  local xs = {}
  for i = 1, 30000 do xs[i] = (i * 7919) % 30011 end
  table.sort(xs, function(a, b) return a < b end)
  otp.send(me, {"sorted", xs[1] <= xs[2] and xs[29999] <= xs[30000]})
end)
expect.eq(otp.receive(otp.match{"sorted"}, 20000)[2], true)
expect.eq(otp.receive(otp.match{"DOWN", ref}, 5000)[5], "normal")
