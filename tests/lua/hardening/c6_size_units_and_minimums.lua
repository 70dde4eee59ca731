-- Proves (issue 10 units; issue 9 class 6): spawn_opt's max_heap and a
-- sandbox's max_memory take a whole number of bytes or a string with a unit
-- ("512KB", "16MB"); a malformed, negative, overflowing or too-small size is
-- a badarg that names the option and the minimum.

local expect = require "otp.expect"

-- a unit means what it says: the cap reads back in bytes
local pid = otp.spawn_opt(function() otp.receive(function() return true end) end,
                          { max_heap = "512KB" })
expect.eventually(function() return otp.process_info(pid, "status") == "waiting" end, 2000)
otp.exit(pid, "kill")

expect.eq(otp.sandbox.create("c6_units", { max_memory = "4MB" }), true)
expect.eq(otp.sandbox.info("c6_units").limits.max_memory, 4 << 20, "\"4MB\" is 4 << 20 bytes")
otp.sandbox.destroy("c6_units")
expect.eq(otp.sandbox.create("c6_units_int", { max_memory = 4 << 20 }), true, "plain bytes as before")
otp.sandbox.destroy("c6_units_int")

-- a process capped by a unit size is killed when it grows past it
local _, ref = otp.spawn_opt(function()
  local t = {}
  for i = 1, math.maxinteger do t[i] = ("x"):rep(64) .. i end
end, { max_heap = "1MB", monitor = true })
local down = otp.receive(function(m) return m[1] == "DOWN" and m[2] == ref end, 20000)
expect.eq(down and down[5], "killed", "a max_heap of \"1MB\" stops a runaway process")

local function spawn_with(max_heap)
  return otp.spawn_opt(function() end, { max_heap = max_heap })
end
for _, bad in ipairs({ "16XB", "1.5MB", "-1", "", "MB", -1, 0, 1.5, "17592186044417MB",
                       math.maxinteger, {} }) do
  local err = expect.error(function() spawn_with(bad) end, "badarg: spawn_opt option max_heap",
                           "max_heap = " .. tostring(bad))
  expect.truthy(err:find("16TB", 1, true), "the range is named: " .. err)
  expect.error(function() otp.sandbox.create("c6_bad", { max_memory = bad }) end,
               "badarg: sandbox option max_memory", "max_memory = " .. tostring(bad))
end

-- below what an empty process or sandbox needs: refused, saying the minimum
local err = expect.error(function() spawn_with(1024) end, "badarg")
expect.truthy(err:find("from 8192 bytes", 1, true), "the process minimum is named: " .. err)
err = expect.error(function() otp.sandbox.create("c6_small", { max_memory = "16KB" }) end, "badarg")
expect.truthy(err:find("from 65536 bytes", 1, true), "the sandbox minimum is named: " .. err)
expect.eq(otp.sandbox.info("c6_small"), nil, "no sandbox was made")
