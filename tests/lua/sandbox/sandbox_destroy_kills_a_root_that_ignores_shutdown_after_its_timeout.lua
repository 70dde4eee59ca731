-- destroy(name, timeout_ms) is OTP's shutdown escalation for the root: a
-- root function that traps exits and ignores "shutdown" gets timeout_ms,
-- then is killed (reason "killed"); processes it did not link are killed
-- with the sandbox as well. The root saw the "shutdown" first.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()

expect.eq(sandbox.create("sbx_stubborn", {start = function()
  otp.trap_exit(true)
  -- `me` is an upvalue: the host pid crosses in as a capability
  otp.send(me, {"root", otp.self()})
  while true do
    local m = otp.receive()
    otp.send(me, {"ignored", m[1], m[3]})
  end
end}), true)
local root = expect.receive({"root"})[2]
expect.eq(sandbox.info("sbx_stubborn").root, root)
local other = sandbox.spawn("sbx_stubborn", function() otp.receive({"never"}) end)
local rref, oref = otp.monitor(root), otp.monitor(other)

expect.eq(sandbox.destroy("sbx_stubborn", 100), true)
expect.eq(expect.receive({"ignored"}), {"ignored", "EXIT", "shutdown"},
          "the root was asked to shut down first")
expect.eq(expect.receive({"DOWN", rref})[5], "killed", "then killed after the timeout")
local od = expect.receive({"DOWN", oref})
expect.truthy(od[5] == "killed" or od[5] == "shutdown", "other processes die with the sandbox")
expect.eq({sandbox.info("sbx_stubborn")}, {nil, "not_found"})
