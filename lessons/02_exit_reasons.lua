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

lesson.finish{try = "p, r = otp.spawn_monitor(function() error(\"boom\") end); flush()",
              next = "Links and the chain of death"}
