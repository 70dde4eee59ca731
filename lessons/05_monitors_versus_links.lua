-- Lesson 5: Monitors versus links
-- a monitor watches one way and never kills; N monitors give N DOWNs; demonitor can flush.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Monitors versus links")

lesson.step("A monitor is one way: its watcher is told, never killed", function()
  local p = otp.spawn(function() otp.receive(); error("crash") end)
  local ref = otp.monitor(p)
  otp.send(p, "go")
  local down = expect.receive(otp.match{"DOWN", ref})
  expect.eq(down[5][1], "error")
  expect.falsy(otp.process_info(otp.self(), "trap_exit"))
  lesson.say("p crashed; I do not trap exits and I am alive, holding its DOWN:")
  lesson.show({down[1], down[2], down[3], down[4], {down[5][1], down[5][2], "<traceback>"}})
end)

lesson.step("Two monitors, two DOWNs (A10)", function()
  local p = otp.spawn(otp.receive)
  local r1, r2 = otp.monitor(p), otp.monitor(p)
  otp.exit(p, "stop")
  expect.eq(expect.receive(otp.match{"DOWN", r1})[5], "stop")
  expect.eq(expect.receive(otp.match{"DOWN", r2})[5], "stop")
  lesson.say("Each monitor is its own ref, and each gets its own DOWN.")
end)

lesson.step("Monitoring a dead process: an immediate DOWN with noproc (A10)", function()
  local p, ref = otp.spawn_monitor(function() end)
  expect.receive(otp.match{"DOWN", ref})
  local late = otp.monitor(p)
  lesson.show(expect.receive(otp.match{"DOWN", late, "process", p, "noproc"}))
end)

lesson.step("demonitor with flush takes back a DOWN already delivered (A11)", function()
  local p = otp.spawn(function() end)
  local ref = otp.monitor(p)
  local probe = otp.monitor(p)           -- a second one shows the first DOWN is in
  expect.receive(otp.match{"DOWN", probe})
  expect.eq(#otp.process_info(otp.self(), "messages"), 1)
  expect.eq(otp.demonitor(ref, {flush = true}), true)
  expect.no_message(otp.match{"DOWN", ref}, 0)
  lesson.say("The DOWN of ref was queued; demonitor(ref, {flush = true}) removed it.")
end)

-- The exercise: a DOWN for r is queued behind the letter "keep me"; the
-- learner takes back the DOWN and keeps the letter.
local me = otp.self()
local gone = otp.spawn(function() end)
local r = otp.monitor(gone)
local probe = otp.monitor(gone)
expect.receive(otp.match{"DOWN", probe})      -- so r's DOWN is queued too
otp.send(me, "keep me")
local function flushed_check()
  local queued = otp.process_info(me, "messages")
  local down, kept = false, false
  for _, m in ipairs(queued) do
    if type(m) == "table" and m[1] == "DOWN" and m[2] == r then down = true end
    if m == "keep me" then kept = true end
  end
  if down then
    return false, "the DOWN of r is still in your mailbox: " .. otp.inspect(queued) ..
      " (pp(otp.process_info(otp.self(), \"messages\")) shows it)"
  end
  if not kept then
    return false, "the DOWN is gone, but so is \"keep me\": take back only what belongs to r"
  end
  return true
end
lesson.expose{r = r}
lesson.exercise("your mailbox holds \"keep me\" and the DOWN of monitor r, whose process has died: " ..
  "remove that DOWN without receiving anything else (otp.demonitor)",
  flushed_check,
  function() otp.demonitor(r, {flush = true}) end)
otp.receive("keep me", 0)

lesson.finish{try = "p = otp.spawn(otp.receive); r = otp.monitor(p); otp.exit(p, \"kill\"); pp(otp.receive({\"DOWN\", r}))",
              next = "Names after a restart"}
