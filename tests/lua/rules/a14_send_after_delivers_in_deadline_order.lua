-- A14: send_after(T, Dest, M) delivers M itself; timers deliver in deadline
-- order, and timers with equal deadlines in the order they were started.
local expect = require "otp.expect"
local main = otp.self()

-- 1. M itself arrives (not wrapped), a copy of what was given.
do
  local msg = {"tick", {n = 1}}
  local tref = otp.send_after(5, main, msg)
  expect.truthy(tref ~= nil, "send_after returns a timer ref")
  msg[2].n = 99                          -- later mutation is not seen
  expect.eq(expect.receive({"tick"}), {"tick", {n = 1}})
end

-- 2. Started out of order: delivered by deadline.
do
  otp.send_after(60, main, {"t", 60})
  otp.send_after(20, main, {"t", 20})
  otp.send_after(40, main, {"t", 40})
  otp.send_after(0, main, {"t", 0})
  for _, d in ipairs({0, 20, 40, 60}) do
    expect.eq(expect.receive({"t"}), {"t", d})
  end
end

-- 3. Equal deadlines: in start order; mixed with earlier/later ones.
do
  otp.send_after(30, main, {"e", "late"})
  for i = 1, 10 do otp.send_after(15, main, {"e", i}) end
  otp.send_after(1, main, {"e", "early"})
  expect.eq(expect.receive({"e"}), {"e", "early"})
  for i = 1, 10 do expect.eq(expect.receive({"e"}), {"e", i}) end
  expect.eq(expect.receive({"e"}), {"e", "late"})
end

-- 4. Timers to another process, and to a registered name (looked up when
-- the timer fires).
do
  local p = otp.spawn(function(boss)
    for _ = 1, 2 do otp.send(boss, {"fwd", otp.receive()}) end
  end, main)
  otp.register("timer_target", p)
  otp.send_after(20, "timer_target", "by name")
  otp.send_after(10, p, "by pid")
  expect.eq(expect.receive({"fwd"}), {"fwd", "by pid"})
  expect.eq(expect.receive({"fwd"}), {"fwd", "by name"})
end

-- 5. Both timer kinds share one order: start_timer and send_after interleave by deadline.
do
  local t2 = otp.start_timer(20, main, "st")
  otp.send_after(10, main, "sa1")
  otp.send_after(30, main, "sa3")
  local function any_of_these(m)
    return m == "sa1" or m == "sa3" or (type(m) == "table" and m[1] == "timeout")
  end
  expect.eq(expect.receive(any_of_these), "sa1")
  expect.eq(expect.receive(any_of_these), {"timeout", t2, "st"})
  expect.eq(expect.receive(any_of_these), "sa3")
end
