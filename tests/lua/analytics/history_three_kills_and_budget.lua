-- otp.analytics without registration: every supervisor's restarts are
-- recorded from the point that emits its trace events. Three kills give
-- three history entries, oldest first, with distinct pids chained
-- old_pid -> new_pid. The budget meter counts the restarts of the current
-- period as the supervisor does: it reaches the intensity, and the next
-- failure makes the supervisor exit "shutdown".
local expect = require "otp.expect"
local supervisor = otp.supervisor
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

-- kills the child id with reason and waits for the sup_restart event
local function kill_and_wait(trace, sup, id, reason)
  local old = pid_of(sup, id)
  otp.exit(old, reason)
  local m = expect.receive({"trace", {kind = "sup_restart", pid = sup}}, 2000)
  expect.eq(m[2].old_pid, old)
  return old, m[2].new_pid
end

-- unknown pids
expect.eq({analytics.restart_history(me)}, {nil, "not_a_supervisor"})
expect.eq({analytics.restart_budget(me)}, {nil, "not_a_supervisor"})
expect.eq({analytics.failure_rate(me, 5)}, {nil, "not_a_supervisor"})
expect.error(function() analytics.restart_history(42) end, "badarg")
expect.error(function() analytics.failure_rate(me, 0) end, "badarg")

local sup = assert(supervisor.start_link{intensity = 4, period = 60, children = {
  {id = "a", start = {worker}}, {id = "w", start = {worker}},
}})
-- known from its first child start on, before any restart
expect.eq(analytics.restart_history(sup), {})
expect.eq(analytics.restart_budget(sup), {used = 0, intensity = 4, period = 60})

local trace = otp.trace.start{kinds = {"sup_restart", "sup_shutdown"}, to = me}
local chain = {}
for i = 1, 3 do
  local old, new = kill_and_wait(trace, sup, "w", "boom" .. i)
  chain[i] = {old, new}
end

local h = analytics.restart_history(sup)
expect.eq(#h, 3)
local seen = {}
for i, e in ipairs(h) do
  expect.eq(e.id, "w")
  expect.eq(e.reason, "boom" .. i)
  expect.eq(e.strategy, "one_for_one")
  expect.eq(e.old_pid, chain[i][1])
  expect.eq(e.new_pid, chain[i][2])
  expect.truthy(e.old_pid ~= e.new_pid)
  expect.truthy(math.type(e.t_ms) == "integer")
  if i > 1 then
    expect.eq(e.old_pid, h[i - 1].new_pid, "old_pid is the previous new_pid")
    expect.truthy(e.t_ms >= h[i - 1].t_ms, "oldest first")
  end
  seen[e.old_pid] = true
  seen[e.new_pid] = true
end
local distinct = 0
for _ in pairs(seen) do distinct = distinct + 1 end
expect.eq(distinct, 4, "w1 -> w2 -> w3 -> w4")
expect.eq(analytics.restart_budget(sup), {used = 3, intensity = 4, period = 60})

-- a reason that is not a string is kept as the value, so a scenario can match on it
local big = {"error", string.rep("x", 1000)}
kill_and_wait(trace, sup, "a", big)
h = analytics.restart_history(sup)
expect.eq(h[4].id, "a")
expect.eq(h[4].reason, big, "the reason is the value itself")
h[4].reason[1] = "changed"                  -- a copy: the history is not touched
expect.eq(analytics.restart_history(sup)[4].reason, big)

-- used == intensity now: the very next failure shuts the supervisor down
expect.eq(analytics.restart_budget(sup), {used = 4, intensity = 4, period = 60})
otp.exit(pid_of(sup, "w"), "boom")
expect.receive({"trace", {kind = "sup_shutdown", pid = sup}}, 2000)
expect.receive({"EXIT", sup, "shutdown"}, 2000)
trace:stop()

-- the dead supervisor's data stays readable
expect.eq(#analytics.restart_history(sup), 4)
expect.eq(analytics.restart_budget(sup), {used = 5, intensity = 4, period = 60})
local found
for _, s in ipairs(analytics.stats()) do
  if s.sup == sup then found = s end
end
expect.truthy(found, "a dead supervisor is still in stats()")
expect.eq(found.alive, false)
expect.eq(found.restarts, 4)
expect.eq(found.children, 0)
