-- README "Beyond the API contract": otp.receive(value) with a value that is
-- not a function takes the first message equal to it; a table is a pattern
-- (as otp.match), so it takes a message with more keys than it names.
local expect = require "otp.expect"
local me = otp.self()
otp.send(me, {"job", 1, owner = "a"})
otp.send(me, "tick")
otp.send(me, 7)
expect.eq(otp.receive("tick", 0), "tick")
expect.eq(otp.receive({"job", otp._}, 0), {"job", 1, owner = "a"}, "a table pattern")
expect.eq(otp.receive(7, 0), 7)
expect.eq({otp.receive("gone", 0)}, {nil, "timeout"})
