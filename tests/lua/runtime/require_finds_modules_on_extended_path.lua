-- A script can extend package.path; the module it then requires is loaded
-- once per node, shared read-only by every process, and its own globals do
-- not leak into the processes that use it.
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. dir))
local f = assert(io.open(dir .. "/greeter.lua", "w"))
f:write([[
loaded_times = (loaded_times or 0) + 1
local M = {}
function M.greet(name) return "hello " .. name end
function M.times() return loaded_times end
return M
]])
f:close()

package.path = dir .. "/?.lua;" .. package.path
local greeter = require "greeter"
assert(greeter.greet("otp") == "hello otp", "the module did not load")
assert(loaded_times == nil, "the module's globals leaked into the process")

local me = otp.self()
otp.spawn(function()
  local g = require "greeter"
  local ok, err = pcall(function() g.greet = nil end)
  otp.send(me, {g.times(), ok, tostring(err)})
end)
local reply = otp.receive(nil, 2000)
assert(reply, "the child never answered")
assert(reply[1] == 1, "the module was loaded " .. tostring(reply[1]) .. " times, expected once")
assert(reply[2] == false and reply[3]:find("^badarg:"), "a module table must be read-only, got " .. reply[3])
os.remove(dir .. "/greeter.lua")
os.remove(dir)
