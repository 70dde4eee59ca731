-- A14: timer messages to a dead pid are dropped: nothing arrives anywhere,
-- nothing crashes.
local expect = require "otp.expect"
local main = otp.self()

-- 1. Timers started towards an already dead pid.
do
  local p, ref = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", ref})
  local t1 = otp.send_after(5, p, "to the dead")
  local t2 = otp.start_timer(5, p, "to the dead too")
  expect.truthy(t1 and t2, "starting a timer to a dead pid is allowed")
  otp.send_after(30, main, "sync")     -- a later deadline: fires after both
  expect.receive("sync")
  expect.eq(otp.cancel_timer(t1), false, "the dropped timer is no longer pending")
  expect.eq(otp.cancel_timer(t2), false)
  expect.no_message(nil, 0, "nothing came back to the starter")
end

-- 2. The target dies while the timer is pending.
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  local t1 = otp.send_after(20, p, "too late")
  local t2 = otp.start_timer(20, p, "too late too")
  otp.exit(p, "kill")
  expect.eq(expect.receive({"DOWN", ref})[5], "killed")
  otp.send_after(50, main, "sync")
  expect.receive("sync")
  expect.eq(otp.cancel_timer(t1), false)
  expect.eq(otp.cancel_timer(t2), false)
  expect.no_message(nil, 0)
end

-- 3. A name with no process when the timer fires: dropped as well.
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  otp.register("soon_gone", p)
  otp.send_after(20, "soon_gone", "nobody there")
  otp.send(p, "stop")
  expect.receive({"DOWN", ref})
  otp.send_after(50, main, "sync")
  expect.receive("sync")
  expect.no_message(nil, 0)
end

-- 4. A fresh process that happens to be spawned later gets nothing either,
-- and the node is still fine: a new timer to a live process works.
do
  local p, ref = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", ref})
  otp.send_after(5, p, "dropped")
  local q = otp.spawn(function(boss) otp.send(boss, {"q got", otp.receive()}) end, main)
  otp.send_after(30, q, "for q")
  expect.eq(expect.receive({"q got"}), {"q got", "for q"})
  expect.alive(main)
end
