-- Issue 9, class 6: a timeout that is not a number of milliseconds from 0
-- to 2^32 - 1 (Erlang's limit for `after`) is a badarg that says so, in
-- receive, sleep and await_reply: NaN used to wait forever (an undefined
-- cast), a huge float likewise.
local expect = require "otp.expect"
local any = function() return true end
for _, bad in ipairs({0/0, -1, -math.huge, math.huge, 1e300, 4294967296}) do
  expect.error(function() otp.receive(any, bad) end, "badarg: a timeout must be a number")
  expect.error(function() otp.sleep(bad) end, "badarg: a timeout must be a number")
  expect.error(function() otp.await_reply(otp.make_ref(), bad) end, "badarg: a timeout must be")
end
local ok, err = pcall(otp.sleep, 0/0)
expect.truthy(not ok and tostring(err):find("nan", 1, true), err)
-- the limits themselves are fine
expect.eq(select(2, otp.receive(any, 0)), "timeout")
otp.sleep(0)
otp.send(otp.self(), "x")
expect.eq(otp.receive(any, 4294967295), "x")
