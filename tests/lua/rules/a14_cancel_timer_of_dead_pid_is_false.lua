-- A14 (erlang:send_after/3): a timer to a pid is cancelled when that process
-- dies, so cancel_timer of it returns false, not the ms it had left, and the
-- timer is freed at once; a timer to a registered name stays pending.
-- otp.statistics("timers") counts the timers held.
local expect = require "otp.expect"
local main = otp.self()
local held = otp.statistics("timers")

-- 1. The destination dies while a long timer is pending.
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  local t1 = otp.send_after(60000, p, "late")
  local t2 = otp.start_timer(60000, p, "late too")
  expect.eq(otp.statistics("timers"), held + 2, "two timers are held")
  otp.exit(p, "kill")
  expect.receive({"DOWN", ref})
  expect.eq(otp.cancel_timer(t1), false, "a timer to a dead pid is no longer pending")
  expect.eq(otp.cancel_timer(t2), false)
  expect.eq(otp.statistics("timers"), held, "both timers were freed when p died")
end

-- 2. A timer started towards an already dead pid is never pending.
do
  local p, ref = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", ref})
  local t = otp.send_after(60000, p, "to the dead")
  expect.eq(otp.statistics("timers"), held)
  expect.eq(otp.cancel_timer(t), false)
end

-- 3. A timer to a name is not tied to the process holding the name.
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  otp.register("named_target", p)
  local t = otp.send_after(60000, "named_target", "for whoever has the name")
  otp.exit(p, "kill")
  expect.receive({"DOWN", ref})
  local left = otp.cancel_timer(t)
  expect.eq(math.type(left), "integer", "a timer to a name is still pending, got " .. tostring(left))
end

-- 4. No pile-up: a server restarted 50 times, each incarnation setting a
-- long timer to itself, leaves no timers behind.
do
  otp.trap_exit(true)
  local function incarnation()
    otp.send_after(60000, otp.self(), "tick")
    otp.receive()
  end
  for _ = 1, 50 do
    local p = otp.spawn_link(incarnation)
    expect.eventually(function() return otp.statistics("timers") == held + 1 end)
    otp.exit(p, "shutdown")
    expect.receive({"EXIT", p})
  end
  expect.eq(otp.statistics("timers"), held, "every incarnation's timer went with it")
end
