-- Lesson 10: Restart intensity
-- one_for_all restarts everyone; more than intensity restarts in period and the supervisor gives up.
local lesson, expect = otp.lesson, otp.expect
local supervisor = otp.supervisor
lesson.title("Restart intensity")

local function worker(name)
  return otp.spawn_link(function()
    otp.set_label(name)
    while true do if otp.receive() == "crash" then error(name .. " was asked to crash") end end
  end)
end
local function pid_of(sup, id)
  for _, c in ipairs(supervisor.which_children(sup)) do if c.id == id then return c.pid end end
end
local function live(p) return type(p) ~= "string" and p end

otp.trap_exit(true)   -- we are linked to the supervisor: its exit must not take us down
local sup = assert(supervisor.start_link{strategy = "one_for_one", intensity = 3, period = 5,
  children = {{id = "a", start = {worker, "a"}}, {id = "b", start = {worker, "b"}},
              {id = "c", start = {worker, "c"}}}})

lesson.step("b crashes once: one restart, one unit of the budget used", function()
  local b = pid_of(sup, "b")
  otp.send(b, "crash")
  expect.restarted(sup, "b", b)
  expect.eq(otp.analytics.restart_budget(sup).used, 1)
  lesson.tree(sup)
  return {sup = sup}
end)

lesson.step("With one_for_all, one crash restarts everyone, and counts once (C7, C9)", function()
  supervisor.set_strategy(sup, "one_for_all")     -- a teaching extension: OTP cannot do this
  local a, b, c = pid_of(sup, "a"), pid_of(sup, "b"), pid_of(sup, "c")
  otp.send(c, "crash")
  expect.restarted(sup, "c", c)
  expect.eventually(function() return live(pid_of(sup, "a")) ~= a and live(pid_of(sup, "b")) ~= b end)
  expect.eq(otp.analytics.restart_budget(sup).used, 2)
  lesson.say("Three children restarted, but the budget counts one restart per failure:")
  lesson.tree(sup)
end)

lesson.step("One crash more than the budget allows: the supervisor gives up", function()
  local ref = otp.monitor(sup)
  local a = pid_of(sup, "a")
  otp.send(a, "crash")                             -- the third restart: allowed
  expect.restarted(sup, "a", a)
  expect.eq(otp.analytics.restart_budget(sup).used, 3)
  lesson.say("Third restart: the meter is full.")
  lesson.tree(sup)
  local children = {}
  for _, c in ipairs(supervisor.which_children(sup)) do children[#children + 1] = c.pid end
  otp.send(pid_of(sup, "a"), "crash")              -- the fourth within 5 s: one too many
  local down = expect.receive(otp.match{"DOWN", ref}, 5000)
  expect.eq(down[5], "shutdown")
  for _, p in ipairs(children) do expect.dead(p) end
  expect.eq(expect.receive(otp.match{"EXIT", sup})[3], "shutdown")   -- I, its parent, trap exits
  otp.trap_exit(false)
  lesson.say("The fourth crash within 5 s: it stopped its children and exited %s (C9).",
             otp.inspect(down[5]))
end)

-- The exercise: the learner sets settings.intensity (and settings.period);
-- each check() starts a fresh supervisor with them and crashes its child
-- five times in a row (the default budget, 3 in 5 s, allows three), watching whether the supervisor outlives them.
local settings = {}
local CRASHES = 5
local function survives_five_crashes()
  local ok, trial, err = pcall(supervisor.start_link, {strategy = "one_for_one",
    intensity = settings.intensity, period = settings.period,
    children = {{id = "w", start = {worker, "w"}}}})
  if not ok or not trial then
    return false, "a supervisor with these settings does not start: " .. otp.inspect(ok and err or trial)
  end
  otp.unlink(trial)
  local ref = otp.monitor(trial)
  local budget = otp.analytics.restart_budget(trial)
  local function settings_text()
    return string.format("intensity = %d%s, period = %d s%s", budget.intensity,
      settings.intensity == nil and " (the default)" or "", budget.period,
      settings.period == nil and " (the default)" or "")
  end
  for crash = 1, CRASHES do
    local w = live(pid_of(trial, "w"))
    otp.send(w, "crash")
    local went, seen = pcall(expect.eventually, function()
      if not otp.is_alive(trial) then return "gone" end
      local now = live(pid_of(trial, "w"))
      if now and now ~= w then return "restarted" end
    end, 2000)
    if not went then
      otp.exit(trial, "kill")
      return false, "the supervisor neither restarted w nor exited within 2 s of crash " .. crash
    end
    if seen == "gone" then
      local down = otp.receive(otp.match{"DOWN", ref}, 2000)
      return false, string.format("with %s the supervisor exited %s at crash %d: %d restarts in %d s " ..
        "is one more than the intensity allows (C9)", settings_text(), otp.inspect(down and down[5]),
        crash, crash, budget.period)
    end
  end
  local used = otp.analytics.restart_budget(trial).used
  otp.demonitor(ref, {flush = true})
  otp.exit(trial, "shutdown")
  if used ~= CRASHES then
    return false, string.format("the supervisor survived, but its budget shows %d restarts, not %d", used, CRASHES)
  end
  return true
end
lesson.expose{settings = settings}
lesson.exercise("set settings.intensity (and, if you like, settings.period) so that a supervisor " ..
  "survives five crashes of its child in a row; check() starts one with them and crashes its child five times",
  survives_five_crashes,
  function() settings.intensity = 5 end)

lesson.finish{try = "s = otp.supervisor.start_link{strategy = \"one_for_one\", intensity = 1, period = 60, children = {{id = \"w\", start = {function() return otp.spawn_link(otp.receive) end}}}}; kill(otp.supervisor.which_children(s)[1].pid); tree(s) -- the meter is full: one more kill and s gives up",
              next = "one_for_all"}
