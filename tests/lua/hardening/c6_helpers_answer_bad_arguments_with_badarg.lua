-- Proves (issue 9 class 6): expect.error, expect.eventually, sys.handle_system,
-- sys.event and otp.trace._forward answer bad arguments with a badarg that
-- names the argument, never a raw "attempt to index a nil value".

local expect = require "otp.expect"
local sys = require "otp.sys"

local function refused(what, fn, words)
  local ok, err = pcall(fn)
  expect.eq(ok, false, what .. " is refused")
  err = tostring(err)
  expect.truthy(err:find("^badarg: "), what .. ": a badarg, got " .. err)
  expect.truthy(err:find(words, 1, true), what .. ": says '" .. words .. "', got " .. err)
  expect.truthy(not err:find("attempt to", 1, true), what .. ": no raw Lua error: " .. err)
end

refused("expect.error(nil, ...)", function() expect.error(nil, "badarg") end, "argument 1")
refused("expect.error(fn, nil)", function() expect.error(function() error("x") end) end, "argument 2")
refused("expect.error(fn, 5)", function() expect.error(function() error("x") end, 5) end, "argument 2")
refused("expect.eventually(nil)", function() expect.eventually(nil) end, "argument 1")
refused("expect.eventually(fn, 0/0)", function() expect.eventually(function() end, 0 / 0) end, "argument 2")
refused("expect.eventually(fn, \"soon\")", function() expect.eventually(function() end, "soon") end,
        "argument 2")
refused("sys.handle_system(nil, {})", function() sys.handle_system(nil, {}) end, "argument 1")
refused("sys.handle_system({}, {})", function() sys.handle_system({}, {}) end, "argument 1")
refused("sys.handle_system(msg, nil)", function()
  sys.handle_system({ "$system", { otp.self(), otp.make_ref() }, "get_state" }, nil)
end, "argument 2")
refused("sys.event(nil, ...)", function() sys.event(nil, "in", "m") end, "argument 1")
refused("sys.event(hooks, nil)", function() sys.event({}, nil) end, "argument 2")
refused("otp.trace._forward()", function() otp.trace._forward() end, "argument 1")
refused("otp.trace._forward(\"x\", {})", function() otp.trace._forward("x", {}) end, "argument 1")
refused("otp.trace._forward(1, 2)", function() otp.trace._forward(1, 2) end, "argument 2")

-- the good paths still work
expect.eq(expect.eventually(function() return 7 end, 100), 7)
expect.eq(otp.trace._forward(987654321, {}), false, "an unknown session id is just ended")
