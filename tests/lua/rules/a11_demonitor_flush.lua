-- A11: demonitor(Ref, [flush]) returns true and removes an already
-- delivered DOWN for Ref.
local expect = require "otp.expect"
local main = otp.self()

local function target() otp.exit(otp.receive()) end

-- Kills p and waits on a second monitor: once its DOWN is here, the DOWN
-- for `ref` (same death) is queued too, without having been received.
local function die_and_sync(p)
  local sync = otp.monitor(p)
  otp.send(p, "bye")
  expect.receive({"DOWN", sync})
end

-- 1. flush removes the queued DOWN, and only it; other messages keep their order.
do
  local p = otp.spawn(target)
  local ref = otp.monitor(p)
  local other = otp.monitor(p)
  otp.send(main, "before")
  die_and_sync(p)
  otp.send(main, "after")
  expect.eq(otp.demonitor(ref, {flush = true}), true)
  expect.no_message({"DOWN", ref}, 0, "flush removed the DOWN")
  expect.eq(expect.receive(nil, 0), "before")
  expect.eq(expect.receive(nil, 0), {"DOWN", other, "process", p, "bye"})
  expect.eq(expect.receive(nil, 0), "after")
  expect.no_message(nil, 0)
end

-- 2. Without flush, demonitor after the DOWN was delivered returns true and
-- leaves the DOWN in the mailbox.
do
  local p = otp.spawn(target)
  local ref = otp.monitor(p)
  die_and_sync(p)
  expect.eq(otp.demonitor(ref), true)
  expect.eq(expect.receive({"DOWN", ref}, 0), {"DOWN", ref, "process", p, "bye"})
end

-- 3. demonitor before the death: true, and no DOWN ever comes for that ref.
do
  local p = otp.spawn(target)
  local ref = otp.monitor(p)
  expect.eq(#otp.process_info(p, "monitored_by"), 1)
  expect.eq(otp.demonitor(ref), true)
  expect.eq(otp.process_info(p, "monitored_by"), {})
  expect.eq(otp.process_info(main, "monitors"), {})
  die_and_sync(p)
  expect.no_message({"DOWN", ref}, 0, "no DOWN after demonitor")
end

-- 4. flush with nothing queued, an unknown ref, a ref used twice: all true.
do
  local p = otp.spawn(target)
  local ref = otp.monitor(p)
  expect.eq(otp.demonitor(ref, {flush = true}), true)
  expect.eq(otp.demonitor(ref, {flush = true}), true)
  expect.eq(otp.demonitor(otp.make_ref()), true)
  die_and_sync(p)
  expect.no_message({"DOWN", ref}, 0)
end

-- 5. The immediate noproc DOWN of a dead target can be flushed too.
do
  local p, r = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", r})
  local ref = otp.monitor(p)
  expect.eq(otp.demonitor(ref, {flush = true}), true)
  expect.no_message({"DOWN", ref}, 0)
end

-- 6. A DOWN for a monitor by name is flushed the same way.
do
  local p = otp.spawn(target)
  otp.register("flushed", p)
  local ref = otp.monitor("flushed")
  die_and_sync(p)
  expect.eq(otp.demonitor(ref, {flush = true}), true)
  expect.no_message({"DOWN", ref}, 0)
end
