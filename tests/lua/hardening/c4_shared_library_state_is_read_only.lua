-- Issue 9, class 4: share nothing includes the standard library. A process
-- cannot change string.rep, a global of the base, a library table or the
-- string metatable for the others: package.loaded gives modules back
-- read-only, and the string metatable is hidden. In the host and in a sandbox.
local expect = require "otp.expect"
local function attempts()
  local changed = {}
  local tries = {
    ["_G.print"] = function() package.loaded._G.print = nil end,
    ["string.rep"] = function() package.loaded.string.rep = nil end,
    ["global string.rep"] = function() string.rep = nil end,
    ["table.insert"] = function() package.loaded.table.insert = nil end,
    ["package.loaded entry"] = function() package.loaded.string = {} end,
    ["string metatable"] = function() getmetatable("").__index = {} end,
  }
  for what, try in pairs(tries) do
    if pcall(try) then changed[#changed + 1] = what end
  end
  table.sort(changed)
  return changed
end
local function intact()
  return type(print) == "function" and ("ab"):rep(2) == "abab" and string.rep("x", 2) == "xx"
    and type(table.insert) == "function" and getmetatable("") == false
end
expect.eq(attempts(), {}, "every write is refused in the host")
expect.truthy(intact())
-- another process sees the library untouched
local me = otp.self()
otp.spawn(function() otp.send(me, {attempts(), intact()}) end)
local got = otp.receive(nil, 1000)
expect.eq(got, {{}, true})
otp.sandbox.create("s", {})
expect.eq(otp.sandbox.run("s", attempts), {}, "every write is refused in a sandbox")
expect.eq(otp.sandbox.run("s", intact), true)
otp.sandbox.destroy("s")
expect.error(function() package.loaded.string.rep = nil end, "badarg: module tables are shared")
