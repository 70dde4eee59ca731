-- A14: cancel_timer -> the remaining ms (an integer) if the timer is
-- pending, false if it has fired or was already cancelled; a cancelled
-- timer never delivers.
local expect = require "otp.expect"
local main = otp.self()

-- 1. A pending timer: an integer number of ms left, 0 <= left <= T.
do
  local tref = otp.send_after(5000, main, "never")
  local left = otp.cancel_timer(tref)
  expect.eq(math.type(left), "integer", "ms left is an integer, got " .. tostring(left))
  expect.truthy(left >= 0 and left <= 5000, "0 <= left <= 5000, got " .. tostring(left))
  expect.eq(otp.cancel_timer(tref), false, "already cancelled")
end

-- 2. The same for start_timer.
do
  local tref = otp.start_timer(5000, main, "never")
  local left = otp.cancel_timer(tref)
  expect.eq(math.type(left), "integer")
  expect.truthy(left >= 0 and left <= 5000)
  expect.eq(otp.cancel_timer(tref), false)
end

-- 3. A cancelled short timer never delivers: a later timer, started after
-- it with a later deadline, fires first... and alone.
do
  local tref = otp.send_after(10, main, "cancelled")
  local tref2 = otp.start_timer(10, main, "cancelled too")
  expect.eq(math.type(otp.cancel_timer(tref)), "integer")
  expect.eq(math.type(otp.cancel_timer(tref2)), "integer")
  otp.send_after(40, main, "sync")
  expect.eq(expect.receive("sync"), "sync")
  expect.no_message("cancelled", 0)
  expect.no_message({"timeout", tref2}, 0)
end

-- 4. A fired timer: false, and its message stays in the mailbox.
do
  local tref = otp.send_after(1, main, "fired")
  otp.send_after(20, main, "sync2")
  expect.receive("sync2")              -- "fired" is queued by now
  expect.eq(otp.cancel_timer(tref), false, "a fired timer cannot be cancelled")
  expect.eq(expect.receive("fired", 0), "fired")
  local tref2 = otp.start_timer(1, main, "fired2")
  expect.eq(expect.receive({"timeout", tref2}), {"timeout", tref2, "fired2"})
  expect.eq(otp.cancel_timer(tref2), false)
end

-- 5. A timer another process started can be cancelled by its ref.
do
  otp.spawn(function(boss)
    otp.send(boss, {"tref", otp.send_after(5000, boss, "never")})
  end, main)
  local tref = expect.receive({"tref"})[2]
  expect.eq(math.type(otp.cancel_timer(tref)), "integer")
  expect.eq(otp.cancel_timer(tref), false)
end

-- 6. A ref that is not a timer's: false.
expect.eq(otp.cancel_timer(otp.make_ref()), false)
