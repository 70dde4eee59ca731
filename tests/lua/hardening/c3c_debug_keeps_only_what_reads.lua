-- Issue 9, class 3c: host processes keep the debug functions a learner reads
-- with (traceback, getinfo, getlocal, upvalueid) and lose those that rewire
-- the runtime: sethook (it would remove preemption), setmetatable (it would
-- install finalizers), get/setupvalue and getregistry (they reach the
-- library's internals and other processes' values).
local expect = require "otp.expect"
for _, name in ipairs({"sethook", "gethook", "setmetatable", "getmetatable", "getupvalue",
                       "setupvalue", "upvaluejoin", "getregistry", "setlocal",
                       "setuservalue", "getuservalue", "setcstacklimit"}) do
  expect.eq(debug[name], nil, "debug." .. name .. " is not available")
end
expect.truthy(debug.traceback("x"):find("stack traceback", 1, true))
expect.eq(debug.getinfo(1, "S").what, "main")
expect.eq(require("debug"), debug)
local x = 42
expect.eq(select(2, debug.getlocal(1, 1)) ~= nil, true)
expect.eq(x, 42)
