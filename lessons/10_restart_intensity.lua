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
  expect.eventually(function() return live(pid_of(sup, "b")) ~= b and live(pid_of(sup, "b")) end)
  expect.eq(otp.analytics.restart_budget(sup).used, 1)
  lesson.tree(sup)
  return {sup = sup}
end)

lesson.step("With one_for_all, one crash restarts everyone, and counts once (C7, C9)", function()
  supervisor.set_strategy(sup, "one_for_all")     -- a teaching extension: OTP cannot do this
  local a, b = pid_of(sup, "a"), pid_of(sup, "b")
  otp.send(pid_of(sup, "c"), "crash")
  expect.eventually(function() return live(pid_of(sup, "a")) ~= a and live(pid_of(sup, "b")) ~= b end)
  expect.eq(otp.analytics.restart_budget(sup).used, 2)
  lesson.say("Three children restarted, but the budget counts one restart per failure:")
  lesson.tree(sup)
end)

lesson.step("One crash more than the budget allows: the supervisor gives up", function()
  local ref = otp.monitor(sup)
  local a = pid_of(sup, "a")
  otp.send(a, "crash")                             -- the third restart: allowed
  expect.eventually(function() return live(pid_of(sup, "a")) ~= a and live(pid_of(sup, "a")) end)
  expect.eq(otp.analytics.restart_budget(sup).used, 3)
  lesson.say("Third restart: the meter is full.")
  lesson.tree(sup)
  local children = {}
  for _, c in ipairs(supervisor.which_children(sup)) do children[#children + 1] = c.pid end
  otp.send(pid_of(sup, "a"), "crash")              -- the fourth within 5 s: one too many
  local down = expect.receive(otp.match{"DOWN", ref}, 5000)
  expect.eq(down[5], "shutdown")
  for _, p in ipairs(children) do expect.dead(p) end
  lesson.say("The fourth crash within 5 s: it stopped its children and exited %s (C9).",
             otp.inspect(down[5]))
end)

lesson.finish{try = "start a supervisor with intensity = 0 and crash its child once",
              next = "one_for_all"}
