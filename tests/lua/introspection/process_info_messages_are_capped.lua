-- process_info(pid, "messages") (issue 4): copies of the queued messages,
-- oldest first, capped at 100 messages and an estimated 64 KB of copies; a
-- list cut short ends with the marker {"truncated", n_more} where n_more is
-- how many messages were left out. message_queue_len is always exact and
-- the mailbox itself is untouched.
local expect = require "otp.expect"

local function holder()
  return otp.spawn(function() otp.receive(function(m) return m == "stop" end) end)
end

-- a short queue comes back whole, as copies
do
  local p = holder()
  local t = {n = 1}
  otp.send(p, t); otp.send(p, "two")
  local msgs = otp.process_info(p, "messages")
  expect.eq(msgs, {{n = 1}, "two"})
  msgs[1].n = 99                       -- a copy: the queued message is unchanged
  expect.eq(otp.process_info(p, "messages")[1], {n = 1})
  otp.send(p, "stop")
end

-- more than 100 messages: the first 100, then {"truncated", n_more}
do
  local p = holder()
  for i = 1, 250 do otp.send(p, {i}) end
  local msgs = otp.process_info(p, "messages")
  expect.eq(#msgs, 101)
  expect.eq(msgs[1], {1})
  expect.eq(msgs[100], {100})
  expect.eq(msgs[101], {"truncated", 150})
  expect.eq(otp.process_info(p, "message_queue_len"), 250)
  expect.eq(#otp.process_info(p).messages, 101, "the same cap in process_info(pid)")
  otp.send(p, "stop")
end

-- the byte budget: big messages stop the list early
do
  local p = holder()
  local big = string.rep("x", 20000)
  for i = 1, 10 do otp.send(p, {i, big}) end
  local msgs = otp.process_info(p, "messages")
  expect.eq(#msgs, 4, "three 20 KB messages fit in 64 KB, then the marker")
  expect.eq(msgs[3][1], 3)
  expect.eq(msgs[4], {"truncated", 7})
  -- one message over the whole budget: nothing but the marker
  local q = holder()
  otp.send(q, string.rep("y", 100000))
  expect.eq(otp.process_info(q, "messages"), {{"truncated", 1}})
  otp.send(p, "stop"); otp.send(q, "stop")
end

-- a cyclic message is measured with the budget too (never loops forever)
do
  local p = holder()
  local c = {}; c.self = c
  otp.send(p, c)
  local msgs = otp.process_info(p, "messages")
  expect.eq(#msgs, 1)
  expect.truthy(msgs[1].self == msgs[1], "the copy keeps the cycle")
  otp.send(p, "stop")
end
