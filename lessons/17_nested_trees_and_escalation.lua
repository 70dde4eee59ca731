-- Lesson 17: Nested trees and escalation
-- a supervisor that gives up exits shutdown; its own supervisor restarts it like any child.
local lesson, expect = otp.lesson, otp.expect
local supervisor = otp.supervisor
lesson.title("Nested trees and escalation")

local function worker(name)
  return otp.spawn_link(function()
    otp.set_label(name); otp.register(name, otp.self())
    if otp.receive() == "crash" then error(name .. " crashed") end
  end)
end
local function inner()
  return supervisor.start_link{strategy = "one_for_one", intensity = 1, period = 5, children = {
    {id = "flaky", start = {worker, "flaky"}}}}
end
local root = assert(supervisor.start_link{strategy = "one_for_one", intensity = 3, period = 5, children = {
  {id = "steady", start = {worker, "steady"}},
  {id = "team", type = "supervisor", start = {inner}}}})

local function crash_flaky()
  local f = expect.eventually(function() return otp.whereis("flaky") end)
  otp.send(f, "crash")
  expect.eventually(function() local g = otp.whereis("flaky"); return g and g ~= f end)
end

lesson.step("root (intensity 3) over steady and team; team (intensity 1) over flaky", function()
  lesson.tree(root)
  return {root = root}
end)

lesson.step("flaky crashes once: team restarts it, root sees nothing", function()
  local team = supervisor.which_children(root)[1].pid
  crash_flaky()
  expect.eq(supervisor.which_children(root)[1].pid, team)
  expect.eq(otp.analytics.restart_budget(root).used, 0)
  lesson.tree(root)
end)

lesson.step("flaky crashes again within 5 s: team gives up, root restarts team (C11)", function()
  local team, steady = supervisor.which_children(root)[1].pid, otp.whereis("steady")
  local ref = otp.monitor(team)
  crash_flaky()
  expect.eq(expect.receive(otp.match{"DOWN", ref})[5], "shutdown")
  local team2 = expect.eventually(function()
    local p = supervisor.which_children(root)[1].pid; return p ~= team and type(p) ~= "string" and p end)
  expect.eq(otp.analytics.restart_budget(root).used, 1)
  expect.eq(otp.analytics.restart_budget(team2).used, 0)
  expect.eq(otp.whereis("steady"), steady)
  lesson.say("team exited \"shutdown\"; root counted one restart and started a fresh team,")
  lesson.say("with a fresh budget and only its init children. steady never moved.")
  lesson.tree(root)
end)

lesson.finish{try = "crash flaky twice more, three times... when does root itself give up?",
              next = "Calls, timeouts and deadlocks"}
