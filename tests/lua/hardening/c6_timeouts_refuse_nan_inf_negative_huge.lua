-- Proves (issue 9 class 6; rule A14 timeouts): every timeout or millisecond
-- argument refuses NaN, infinities, negatives and values past 2^53 ms with a
-- badarg that says the valid range, instead of waiting forever on an
-- undefined float-to-integer cast. 0 and "infinity" still work.

local expect = require "otp.expect"

local nan, inf = 0 / 0, math.huge
local bad = { nan, inf, -inf, -1, -0.5, 2.0 ^ 60, math.maxinteger }
local match_all = function() return true end

for _, ms in ipairs(bad) do
  local what = tostring(ms)
  expect.error(function() otp.receive(match_all, ms) end, "badarg: a timeout must be",
               "otp.receive(m, " .. what .. ")")
  expect.error(function() otp.sleep(ms) end, "badarg: a timeout must be", "otp.sleep(" .. what .. ")")
  expect.error(function() otp.await_reply(otp.make_ref(), ms) end, "badarg: a timeout must be",
               "otp.await_reply(ref, " .. what .. ")")
  expect.error(function() otp.send_after(ms, otp.self(), "x") end, "badarg: a timer needs",
               "otp.send_after(" .. what .. ")")
end

-- the message names the range, so the user knows what to give instead
local err = expect.error(function() otp.sleep(nan) end, "badarg")
expect.truthy(err:find("from 0 to 9007199254740992", 1, true), "the range is named: " .. err)

-- what stays valid
expect.eq(otp.receive(match_all, 0), nil, "a 0 timeout returns at once on an empty mailbox")
otp.send(otp.self(), "hi")
expect.eq(otp.receive(match_all, "infinity"), "hi", "\"infinity\" waits for the message")
otp.sleep(0)
expect.eq(otp.receive(match_all, 1.5), nil, "a fractional timeout rounds up and times out")
