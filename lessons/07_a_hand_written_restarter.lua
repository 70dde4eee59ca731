-- Lesson 7: A hand-written restarter
-- trap exits and restart what dies: it works, and without a limit it never stops trying.
local lesson, expect = otp.lesson, otp.expect
lesson.title("A hand-written restarter")
local me = otp.self()

-- Restarts `start` each time it dies, up to `cap` times (a cap so the lesson ends).
local function restarter(start, cap, parent)
  otp.set_label("restarter")
  otp.trap_exit(true)
  local pid, restarts = otp.spawn_link(start, parent), 0
  while restarts < cap do
    local m = otp.receive(otp.match{"EXIT", pid})
    restarts = restarts + 1
    pid = otp.spawn_link(start, parent)
    otp.send(parent, {"restarted", restarts, m[3], pid})
  end
  otp.send(parent, {"done", restarts})
end

lesson.step("A worker that crashes when told is restarted each time", function()
  local function worker(parent) otp.send(parent, {"up", otp.self()}); otp.receive(); error("told to crash") end
  otp.spawn(restarter, worker, 3, me)
  local pid = expect.receive(otp.match{"up"})[2]
  for i = 1, 3 do
    otp.send(pid, "crash")
    local r = expect.receive(otp.match{"restarted", i})
    expect.eq(r[3][1], "error")
    pid = expect.receive(otp.match{"up"})[2]
    lesson.say("   crash %d -> restarted as %s", i, tostring(pid))
  end
  expect.receive(otp.match{"done", 3})
end)

local function broken() error("config file missing") end
lesson.step("A worker that cannot start is restarted forever", function()
  otp.spawn(restarter, broken, 1000, me)
  local done = expect.receive(otp.match{"done"}, 10000)
  expect.eq(done[2], 1000)
  for _ = 1, 1000 do otp.receive(otp.match{"restarted"}, 0) end
  lesson.say("It crashed and was restarted 1000 times, as fast as it could, fixing nothing.")
  lesson.say("That is why a supervisor has a restart intensity: more than `intensity`")
  lesson.say("restarts in `period` seconds, and it gives up and tells its own parent (C9).")
end)

lesson.step("The same broken worker under a supervisor (intensity 3 in 5 s)", function()
  local defaults = otp.supervisor.start_link{strategy = "one_for_one"}
  local budget = otp.analytics.restart_budget(defaults)
  expect.eq({budget.intensity, budget.period}, {3, 5})
  otp.unlink(defaults); otp.exit(defaults, "shutdown")
  lesson.say("otplab's default budget is Elixir's, 3 restarts in 5 s (Erlang's is 1 in 5 s).")
  otp.trap_exit(true)
  local sup, why = otp.supervisor.start_link{strategy = "one_for_one", children = {
    {id = "broken", start = {function() return otp.spawn_link(broken) end}}}}
  expect.truthy(sup, "the supervisor starts (the worker crashes only after its start): " .. otp.inspect(why))
  local m = expect.receive(otp.match{"EXIT", sup}, 5000)
  expect.eq(m[3], "shutdown")
  expect.eq(#otp.analytics.restart_history(sup), 3)
  lesson.say("After 3 restarts the 4th crash was one too many: the supervisor exited %s.",
             otp.inspect(m[3]))
  otp.trap_exit(false)
end)

-- The exercise: the learner writes the restarter's missing limit, the rule
-- of C9, as a function of the restart times; check() tries it on cases.
local limit = {}
local CASES = {   -- times (ms, oldest first, the newest is now), give up?, why
  {{0, 100, 200}, false, "3 restarts in 5 s is within the budget"},
  {{0, 100, 200, 300}, true, "4 restarts within 5 s is one more than 3"},
  {{0, 6000, 6100, 6200}, false, "the restart at 0 ms is older than 5 s at 6200 ms: it no longer counts"},
  {{1000, 2000, 3000, 4000, 5000}, true, "5 restarts within 5 s"},
  {{}, false, "no restart at all"},
}
local function limit_check()
  if type(limit.give_up) ~= "function" then
    return false, "limit.give_up is not a function yet: limit.give_up = function(times, now) ... end"
  end
  for _, case in ipairs(CASES) do
    local times = case[1]
    local now = times[#times] or 0
    local ok, answer = pcall(limit.give_up, {table.unpack(times)}, now)
    if not ok then return false, "give_up(" .. otp.inspect(times) .. ", " .. now .. ") raised " .. otp.inspect(answer) end
    if (not not answer) ~= case[2] then
      return false, "give_up(" .. otp.inspect(times) .. ", " .. now .. ") returned " .. otp.inspect(answer) ..
        ", but " .. case[3]
    end
  end
  return true
end
lesson.expose{limit = limit}
lesson.exercise("write the limit a supervisor has (C9): limit.give_up = function(times, now) ... end, " ..
  "true when the restart times (ms, the newest is now) hold more than 3 within the last 5000 ms",
  limit_check,
  function()
    limit.give_up = function(times, now)
      local recent = 0
      for _, t in ipairs(times) do if t >= now - 5000 then recent = recent + 1 end end
      return recent > 3
    end
  end)

lesson.finish{try = "otp.trap_exit(true); s = otp.supervisor.start_link{strategy = \"one_for_one\", intensity = 0, children = {{id = \"w\", start = {function() return otp.spawn_link(function() error(\"no\") end) end}}}}; pp(otp.receive({\"EXIT\", s}))",
              next = "one_for_one"}
