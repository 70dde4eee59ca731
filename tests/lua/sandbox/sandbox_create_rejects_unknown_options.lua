-- A sandbox's limits are its safety: a misspelt option (max_memroy,
-- max_process) must not silently create an unlimited sandbox. As
-- otp.spawn_opt and otp.code.load do for their options, otp.sandbox.create
-- rejects an option it does not know with badarg, and creates nothing.
local expect = require "otp.expect"
local sandbox = otp.sandbox

local ok, err = pcall(sandbox.create, "sbx_typo", {max_memroy = 4 << 20})
local created = sandbox.info("sbx_typo") ~= nil
if created then sandbox.destroy("sbx_typo") end

expect.eq(created, false, "a create with an unknown option created an unlimited sandbox")
expect.eq(ok, false)
expect.eq(err:sub(1, 7), "badarg:")
