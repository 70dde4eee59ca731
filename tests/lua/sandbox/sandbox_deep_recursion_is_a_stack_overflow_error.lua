-- A non-tail recursive function 1e6 calls deep inside a sandbox ends in a
-- Lua error ("stack overflow"), which otp.sandbox.run returns as nil, err.
-- The node is fine afterwards: the sandbox runs code again and host
-- processes work.
local expect = require "otp.expect"
local sandbox = otp.sandbox

expect.eq(sandbox.create("sbx_deep", {}), true)

local res = table.pack(sandbox.run("sbx_deep", function(n)
  local function depth(k)
    if k == 0 then return 0 end
    return 1 + depth(k - 1)
  end
  return depth(n)
end, 1000000))
expect.eq(res.n, 2)
expect.eq(res[1], nil)
expect.eq(type(res[2]), "string", "the error value comes back")
expect.truthy(res[2]:find("stack overflow", 1, true), "a stack overflow: " .. tostring(res[2]))

expect.eq({sandbox.run("sbx_deep", function() return "still here" end)}, {"still here"})
local echo = otp.spawn(function() local m = otp.receive(); otp.send(m[1], {"echo", m[2]}) end)
otp.send(echo, {otp.self(), 1})
expect.eq(expect.receive({"echo"}), {"echo", 1}, "host processes still run")
expect.eq(sandbox.info("sbx_deep").processes, 0, "the failed runner is gone")

expect.eq(sandbox.destroy("sbx_deep"), true)
