-- The log level is the node's: a sandbox may read it (otp.log_level()
-- returns it) but not set it (otp.log_level(x) raises badarg). The library
-- relies on reading it: gen_server's crash report asks otp.log_level().
local expect = require "otp.expect"
local sandbox = otp.sandbox
local level = otp.log_level()

expect.eq(sandbox.create("sbx_loglevel", {}), true)
local read = table.pack(sandbox.run("sbx_loglevel", function()
  return pcall(otp.log_level)
end))
local set = table.pack(sandbox.run("sbx_loglevel", function()
  return pcall(otp.log_level, "debug")
end))
expect.eq(sandbox.destroy("sbx_loglevel"), true)

expect.eq(set[1], false, "setting the log level inside raises")
expect.eq(set[2]:sub(1, 7), "badarg:")
expect.eq(otp.log_level(), level, "the node's level did not change")
expect.eq({read[1], read[2]}, {true, level},
          "reading the log level inside a sandbox returns the node's level")
