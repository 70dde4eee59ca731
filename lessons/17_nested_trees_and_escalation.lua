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
local function inner(intensity, name)
  return supervisor.start_link{strategy = "one_for_one", intensity = intensity or 1, period = 5, children = {
    {id = "flaky", start = {worker, name or "flaky"}}}}
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
  assert(supervisor.start_child(team, {id = "extra", start = {worker, "extra"}}))
  lesson.say("I also added a child \"extra\" to team by hand:")
  lesson.tree(root)
end)

lesson.step("flaky crashes again within 5 s: team gives up, root restarts team (C11)", function()
  local team, steady = supervisor.which_children(root)[1].pid, otp.whereis("steady")
  local ref = otp.monitor(team)
  crash_flaky()
  expect.eq(expect.receive(otp.match{"DOWN", ref})[5], "shutdown")
  local team2 = expect.restarted(root, "team", team)
  expect.eq(otp.analytics.restart_budget(root).used, 1)
  expect.eq(otp.analytics.restart_budget(team2).used, 0)
  expect.eq(otp.whereis("steady"), steady)
  local ids = {}
  for _, c in ipairs(supervisor.which_children(team2)) do ids[#ids + 1] = c.id end
  expect.eq(ids, {"flaky"})
  lesson.say("team exited \"shutdown\"; root counted one restart and started a fresh team,")
  lesson.say("with a fresh budget and only its init children: extra is gone. steady never moved.")
  lesson.tree(root)
end)

-- The exercise: the learner picks team's intensity; check() builds a fresh
-- root and team with it, crashes flaky twice and reads root's budget.
local settings = {team_intensity = 1}
local function contained_check()
  local n = settings.team_intensity
  local trapping = otp.trap_exit(true)
  local ok, trial, err = pcall(supervisor.start_link, {strategy = "one_for_one", intensity = 3, period = 5,
    children = {{id = "team", type = "supervisor", start = {inner, n, "trial_flaky"}}}})
  if ok and trial then otp.unlink(trial) end
  otp.trap_exit(trapping)
  otp.receive(otp.match{"EXIT"}, 0)
  if not (ok and trial) then
    return false, "team_intensity = " .. otp.inspect(n) .. " does not start: " .. otp.inspect(ok and err or trial)
  end
  for _ = 1, 2 do
    local f = otp.whereis("trial_flaky")
    local held = f and pcall(function()
      otp.send(f, "crash")
      expect.eventually(function() local g = otp.whereis("trial_flaky"); return g and g ~= f end, 2000)
    end)
    if not held then otp.exit(trial, "shutdown"); return false, "flaky did not come back within 2 s" end
  end
  local used = otp.analytics.restart_budget(trial).used
  otp.exit(trial, "shutdown")
  if used > 0 then
    return false, "with team_intensity = " .. otp.inspect(n) .. " flaky's second crash was one too many " ..
      "for team, which gave up; root restarted it (root's budget: " .. used .. " used)"
  end
  return true
end
lesson.expose{settings = settings}
lesson.exercise("set settings.team_intensity so that two crashes of flaky in a row stay inside team " ..
  "and root never hears of them; check() builds root and team and crashes flaky twice",
  contained_check,
  function() settings.team_intensity = 2 end)

lesson.finish{try = "kill(\"flaky\"); kill(\"flaky\"); tree(root) -- team gives up; what does root do?",
              next = "Calls, timeouts and deadlocks"}
