-- Lesson 2: Exit reasons
-- how a process ends (return, otp.exit, error) and what its monitor is told.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Exit reasons")
lesson.say("Every process ends with a reason, and whoever watches it is told that reason (A4).")

local function reason_of(fn)
  local pid, ref = otp.spawn_monitor(fn)
  return expect.receive(otp.match{"DOWN", ref, "process", pid})[5]
end

lesson.step("Returning from the function: normal", function()
  local r = reason_of(function() return 42 end)
  expect.eq(r, "normal")
  lesson.show(r)
end)

lesson.step("otp.exit(reason): exactly that reason, any value", function()
  local r = reason_of(function() otp.exit({"shutdown", "no more work"}) end)
  expect.eq(r, {"shutdown", "no more work"})
  lesson.show(r)
end)

lesson.step("An uncaught error: {\"error\", value, traceback}", function()
  local r = reason_of(function() error({code = 7}) end)
  expect.eq(r[1], "error")
  expect.eq(r[2], {code = 7})
  expect.eq(type(r[3]), "string")
  lesson.show({r[1], r[2], "<traceback>"})
  lesson.say("Erlang writes {Error, Stack}; the traceback tells where it crashed.")
end)

lesson.step("pcall catches an exit like Erlang's catch", function()
  local ok, caught = pcall(otp.exit, "changed my mind")
  expect.falsy(ok)
  expect.eq(caught[1], "EXIT")
  expect.eq(caught[2], "changed my mind")
  lesson.show(caught)
  lesson.say("The process goes on: an exit is only final when nobody catches it.")
end)

-- The exercise: the learner writes the body of a process; check() runs it
-- in a fresh monitored process and compares the reason its DOWN carries.
local ending = {}
local WANTED = {"shutdown", "done"}
local function ending_check()
  if type(ending.fn) ~= "function" then
    return false, "ending.fn is not a function yet: ending.fn = function() ... end"
  end
  local pid, ref = otp.spawn_monitor(ending.fn)
  local down = otp.receive(otp.match{"DOWN", ref, "process", pid}, 2000)
  if down == nil then
    otp.exit(pid, "kill")
    return false, "a process running ending.fn was still alive after 2 s: it has to end by itself"
  end
  if expect.equal(down[5], WANTED) then return true end
  local r = down[5]
  if type(r) == "table" and r[1] == "error" then
    r = {r[1], r[2], "<traceback>"}
  end
  return false, "a process running ending.fn exited with " .. otp.inspect(r) ..
    ", not {\"shutdown\", \"done\"}" ..
    (down[5] == "normal" and " (returning is the reason \"normal\")" or "")
end
lesson.expose{ending = ending}
lesson.exercise("write ending.fn, the body of a process that ends with the exit reason " ..
  "{\"shutdown\", \"done\"}: ending.fn = function() ... end; check() runs it and reads its DOWN",
  ending_check,
  function() ending.fn = function() otp.exit({"shutdown", "done"}) end end)

lesson.finish{try = "p, r = otp.spawn_monitor(function() error(\"boom\") end); pp(otp.receive({\"DOWN\", r}))",
              next = "Links and the chain of death"}
