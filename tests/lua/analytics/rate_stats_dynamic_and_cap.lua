-- otp.analytics: failure_rate over a window, stats() lists every supervisor
-- (nested ones too), a dynamic supervisor's restarts are recorded, and the
-- history keeps the newest 1000 restarts while stats counts them all.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local ds = otp.dynamic_supervisor
local analytics = otp.analytics
local me = otp.self()
otp.trap_exit(true)

local function worker()
  return otp.spawn_link(function() otp.receive({"never"}) end)
end

local function pid_of(sup, id)
  for _, c in ipairs(supervisor.which_children(sup)) do
    if c.id == id then return c.pid end
  end
end

local function stats_of(sup)
  for _, s in ipairs(analytics.stats()) do
    if s.sup == sup then return s end
  end
end

local trace = otp.trace.start{kinds = {"sup_restart"}, to = me}
local function kill_and_wait(sup, pid)
  otp.exit(pid, "boom")
  return expect.receive({"trace", {kind = "sup_restart", pid = sup, old_pid = pid}}, 2000)[2]
end

-- nested supervisors: both are listed, with their children
local top = assert(supervisor.start_link{strategy = "one_for_all", intensity = 10, period = 30,
  children = {
    {id = "inner", type = "supervisor",
     start = {supervisor.start_link, {intensity = 7, period = 20, children = {
       {id = "x", start = {worker}}, {id = "y", start = {worker}}, {id = "z", start = {worker}},
     }}}},
    {id = "w", start = {worker}},
  }})
local inner = pid_of(top, "inner")
local st, si = stats_of(top), stats_of(inner)
expect.truthy(st and si, "stats lists the top and the nested supervisor")
expect.eq({st.children, st.restarts, st.alive, st.dynamic, st.strategy}, {2, 0, true, false, "one_for_all"})
expect.eq({si.children, si.restarts}, {3, 0})
expect.eq(si.budget, {used = 0, intensity = 7, period = 20})
expect.eq(st.failure_rate, 0.0)

-- failure rate: 5 restarts just now are 0.5/s over 10 s, 0.05/s over 100 s
for _ = 1, 5 do kill_and_wait(inner, pid_of(inner, "y")) end
expect.eq(analytics.failure_rate(inner, 10), 0.5)
expect.eq(analytics.failure_rate(inner, 100), 0.05)
expect.eq(analytics.failure_rate(top, 10), 0.0)
si = stats_of(inner)
expect.eq(si.restarts, 5)
expect.eq(si.failure_rate, 5 / 20)
expect.eq(si.budget, {used = 5, intensity = 7, period = 20})

-- a restart of the top supervisor (one_for_all) is one entry with its strategy
local ev = kill_and_wait(top, pid_of(top, "w"))
local h = analytics.restart_history(top)
expect.eq(#h, 1)
expect.eq({h[1].id, h[1].strategy, h[1].old_pid, h[1].new_pid},
          {"w", "one_for_all", ev.old_pid, ev.new_pid})
expect.eq(analytics.restart_budget(top).used, 1)
-- the old inner supervisor was terminated by the group restart; a new one runs
local inner2 = pid_of(top, "inner")
expect.truthy(inner2 ~= inner)
expect.truthy(stats_of(inner2), "the new inner supervisor is listed")
expect.eq(stats_of(inner).alive, false)

-- a dynamic supervisor
local dsup = assert(ds.start_link{intensity = 3, period = 5})
local c = assert(ds.start_child(dsup, {start = {worker}}))
local e = kill_and_wait(dsup, c)
h = analytics.restart_history(dsup)
expect.eq(#h, 1)
expect.eq({h[1].old_pid, h[1].new_pid, h[1].reason}, {c, e.new_pid, "boom"})
expect.truthy(h[1].new_pid ~= c)
local sd = stats_of(dsup)
expect.eq({sd.dynamic, sd.children, sd.restarts}, {true, 1, 1})
expect.eq(analytics.restart_budget(dsup), {used = 1, intensity = 3, period = 5})

-- the cap: 1005 restarts, the newest 1000 are kept
local big = assert(supervisor.start_link{intensity = 5000, period = 3600,
  children = {{id = "k", start = {worker}}}})
local firsts = {}
for i = 1, 1005 do
  local r = kill_and_wait(big, pid_of(big, "k"))
  if i <= 6 then firsts[i] = r.old_pid end
end
h = analytics.restart_history(big)
expect.eq(#h, 1000)
expect.eq(h[1].old_pid, firsts[6], "the 5 oldest were dropped")
expect.eq(h[1000].new_pid, pid_of(big, "k"))
for i = 2, 1000 do
  if h[i].old_pid ~= h[i - 1].new_pid then expect.eq(h[i].old_pid, h[i - 1].new_pid) end
end
local sb = stats_of(big)
expect.eq(sb.restarts, 1005)
expect.eq(sb.budget.used, 1005)
trace:stop()
