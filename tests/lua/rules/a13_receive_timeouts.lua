-- A13: `after 0` polls (returns at once); `after T` times out after T ms
-- when nothing matching arrives, and a timed-out receive takes nothing.
local expect = require "otp.expect"
local main = otp.self()

local function pack(...) return {n = select("#", ...), ...} end

-- 1. Timeout 0 on an empty mailbox: nil, "timeout" at once.
expect.eq(pack(otp.receive(nil, 0)), {n = 2, nil, "timeout"})

-- 2. Timeout 0 with only non-matching messages: timeout, messages kept.
otp.send(main, "x"); otp.send(main, "y")
expect.eq(pack(otp.receive("z", 0)), {n = 2, nil, "timeout"})
expect.eq(otp.process_info(main, "messages"), {"x", "y"})

-- 3. Timeout 0 with a matching message queued: it is returned.
expect.eq(otp.receive("y", 0), "y")
expect.eq(otp.receive(nil, 0), "x")

-- 4. Timeout T with nothing coming: nil, "timeout", not before T ms.
do
  local t0 = otp.monotonic_time()
  expect.eq(pack(otp.receive(nil, 30)), {n = 2, nil, "timeout"})
  expect.truthy(otp.monotonic_time() - t0 >= 30, "waited at least 30 ms")
end

-- 5. Timeout T with only non-matching arrivals: still times out, and the
-- arrivals stay queued.
do
  otp.spawn(function(boss) otp.send(boss, "noise") end, main)
  expect.eq(pack(otp.receive("signal", 30)), {n = 2, nil, "timeout"})
  expect.eq(otp.receive(nil, 0), "noise")
end

-- 6. Timeout T with a matching message arriving before T: the message.
do
  otp.send_after(10, main, "in time")
  expect.eq(otp.receive("in time", 5000), "in time")
end

-- 7. A fractional timeout is allowed (rounded up), and so is "infinity".
do
  expect.eq(pack(otp.receive(nil, 0.5)), {n = 2, nil, "timeout"})
  otp.send(main, "now")
  expect.eq(otp.receive(nil, "infinity"), "now")
end

-- 8. A timed-out receive leaves no stale timer: the next receive with a
-- longer timeout is not cut short.
do
  expect.eq(pack(otp.receive(nil, 5)), {n = 2, nil, "timeout"})
  otp.send_after(40, main, "later")
  expect.eq(otp.receive("later", 2000), "later")
end
