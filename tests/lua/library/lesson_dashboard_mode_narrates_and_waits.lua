-- otp.lesson's dashboard mode (API.md section 6; the runner is
-- otp.api.lesson_runner): with _LESSON_DASHBOARD in the lesson process's
-- globals, the narration goes to the owner as messages, a step's pause
-- waits for "$lesson_go", an exercise answers "$lesson_check" with its
-- check's verdict and, left unsolved, runs its reference solution; with
-- pauses off it runs straight through and never waits.
local expect = require "otp.expect"
local me = otp.self()

local function lesson_process(pauses)
  return otp.spawn(function(owner, with_pauses)
    local g = load("return _ENV")()
    rawset(g, "_LESSON_DASHBOARD", {owner = owner, run = 7, pauses = with_pauses})
    local lesson = otp.lesson
    local solved = false
    lesson.say("hello %s", "dashboard")
    lesson.step("one step", function() return {answer = 42} end)
    lesson.exercise("make it solved", function() return solved, "solved is still false" end,
                    function() solved = true end)
    lesson.say("the end")
  end, me, pauses)
end

local function out_with(text)
  return function(m)
    return type(m) == "table" and m[1] == "$lesson_out" and m[2] == 7 and m[3]:find(text, 1, true) ~= nil
  end
end
local PAUSE = otp.match{"$lesson_pause", 7}

-- with pauses: narration, a pause after the step (showing the step's values), the exercise's check and solution
local p = lesson_process(true)
local ref = otp.monitor(p)
expect.receive(out_with("hello dashboard"), 5000)
expect.receive(out_with("1. one step"), 5000)
local pause = expect.receive(PAUSE, 5000)
expect.eq(pause[3].exercise, false)
expect.eq(pause[3].vars.answer, "42")
expect.no_message(50)                          -- it waits for the page
otp.send(p, {"$lesson_go", 7})
expect.receive(out_with("Exercise: make it solved"), 5000)
pause = expect.receive(PAUSE, 5000)
expect.eq(pause[3].exercise, true)
otp.send(p, {"$lesson_check", 7})
expect.receive(out_with("not yet: solved is still false"), 5000)
otp.send(p, {"$lesson_go", 6})                 -- another run's answer is not for this one:
otp.send(p, {"$lesson_check", 7})              -- it still waits at the exercise
expect.receive(out_with("not yet: solved is still false"), 5000)
otp.send(p, {"$lesson_go", 7})
expect.receive(out_with("(not solved: the lesson runs its own solution"), 5000)
expect.receive(out_with("the end"), 5000)
expect.eq(expect.receive(otp.match{"DOWN", ref}, 5000)[5], "normal")

-- without pauses: straight through, the exercise's check first fails, then its solution holds
p = lesson_process(false)
ref = otp.monitor(p)
expect.receive(out_with("(reference solution: the check holds)"), 5000)
expect.receive(out_with("the end"), 5000)
expect.eq(expect.receive(otp.match{"DOWN", ref}, 5000)[5], "normal")
while true do
  local m = otp.receive(nil, 0)
  if not m then break end
  expect.truthy(m[1] ~= "$lesson_pause", "no pause without pauses: " .. otp.inspect(m))
end
