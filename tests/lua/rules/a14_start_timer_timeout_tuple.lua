-- A14: start_timer(T, Dest, M) delivers {timeout, TRef, M}, TRef being the
-- ref start_timer returned.
local expect = require "otp.expect"
local main = otp.self()

-- 1. The message shape, with the very ref that was returned.
do
  local tref = otp.start_timer(5, main, {"payload", 1})
  local m = expect.receive({"timeout"})
  expect.eq(m, {"timeout", tref, {"payload", 1}})
  expect.truthy(m[2] == tref, "the ref in the message is the timer's ref")
end

-- 2. Several timers: each message carries its own ref.
do
  local r1 = otp.start_timer(10, main, "one")
  local r2 = otp.start_timer(20, main, "two")
  expect.truthy(r1 ~= r2)
  expect.eq(expect.receive({"timeout"}), {"timeout", r1, "one"})
  expect.eq(expect.receive({"timeout"}), {"timeout", r2, "two"})
end

-- 3. Receiving on the ref picks the right one, whatever else is queued.
do
  local r1 = otp.start_timer(1, main, "a")
  local r2 = otp.start_timer(2, main, "b")
  expect.eq(expect.receive({"timeout", r2}), {"timeout", r2, "b"})
  expect.eq(expect.receive({"timeout", r1}, 0), {"timeout", r1, "a"})
end

-- 4. To another process.
do
  local p = otp.spawn(function(boss) otp.send(boss, {"fwd", otp.receive()}) end, main)
  local tref = otp.start_timer(5, p, "for p")
  expect.eq(expect.receive({"fwd"}), {"fwd", {"timeout", tref, "for p"}})
end
