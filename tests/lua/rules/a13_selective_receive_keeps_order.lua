-- A13: selective receive takes the first matching message in arrival order
-- and leaves the others in the mailbox, in order.
local expect = require "otp.expect"
local main = otp.self()

local function queue()
  return otp.process_info(main, "messages")
end

-- Fill the mailbox: a1 b1 a2 {x=1} b2 c {k="v", n=2}
for _, m in ipairs({{"a", 1}, {"b", 1}, {"a", 2}, {x = 1}, {"b", 2}, "c", {k = "v", n = 2}}) do
  otp.send(main, m)
end
expect.eq(otp.process_info(main, "message_queue_len"), 7)

-- 1. A function matcher: the first "b" is b1; the rest stay in order.
expect.eq(otp.receive(function(m) return type(m) == "table" and m[1] == "b" end, 0), {"b", 1})
expect.eq(queue(), {{"a", 1}, {"a", 2}, {x = 1}, {"b", 2}, "c", {k = "v", n = 2}})

-- 2. A pattern table: matches on the keys it has, first in arrival order.
expect.eq(otp.receive({"a"}, 0), {"a", 1})
expect.eq(otp.receive({k = otp._}, 0), {k = "v", n = 2})
expect.eq(queue(), {{"a", 2}, {x = 1}, {"b", 2}, "c"})

-- 3. An otp.match matcher, and a plain value matcher (== on the message).
expect.eq(otp.receive(otp.match({"b", 2}), 0), {"b", 2})
expect.eq(otp.receive("c", 0), "c")
expect.eq(queue(), {{"a", 2}, {x = 1}})

-- 4. A matcher that takes nothing leaves everything as it was.
local nil_m, why = otp.receive(function() return false end, 0)
expect.eq({nil_m, why}, {nil, "timeout"})
expect.eq(queue(), {{"a", 2}, {x = 1}})

-- 5. No matcher: the oldest message.
expect.eq(otp.receive(nil, 0), {"a", 2})
expect.eq(otp.receive(nil, 0), {x = 1})
expect.eq(otp.process_info(main, "message_queue_len"), 0)

-- 6. While a selective receive waits, non-matching arrivals queue up in
-- order behind and the matching one is taken whenever it comes.
do
  otp.spawn(function(boss)
    otp.send(boss, {"noise", 1})
    otp.send(boss, {"noise", 2})
    otp.send(boss, {"wanted"})
    otp.send(boss, {"noise", 3})
  end, main)
  expect.eq(expect.receive({"wanted"}), {"wanted"})
  expect.eq(otp.receive({"noise"}, 1000), {"noise", 1})
  expect.eq(otp.receive({"noise"}, 1000), {"noise", 2})
  expect.eq(otp.receive({"noise"}, 1000), {"noise", 3})
end
