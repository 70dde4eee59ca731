-- Proves (issue 9 class 4): the standard library is shared by every process,
-- so no process can change it: package.loaded's library tables, package.
-- loaded._G and the string metatable's __index refuse writes, in the host and
-- in a sandbox (rawset included), and another process still sees the original string.rep.
-- Strings keep their methods.

local expect = require "otp.expect"

local function writes()
  local attempts = {
    ["package.loaded.string.rep"] = function() package.loaded.string.rep = function() return "evil" end end,
    ["package.loaded._G.print"] = function() package.loaded._G.print = false end,
    ["package.loaded._G.c4_new_global"] = function() package.loaded._G.c4_new_global = 1 end,
    ["package.loaded.table.insert"] = function() package.loaded.table.insert = false end,
    ["package.loaded.math.pi"] = function() package.loaded.math.pi = 3 end,
    ["package.loaded.coroutine.wrap"] = function() package.loaded.coroutine.wrap = false end,
    ["getmetatable('').__index.rep"] = function() getmetatable("").__index.rep = false end,
    ["getmetatable('').__index"] = function() getmetatable("").__index = {} end,
    ["rawset(getmetatable('').__index)"] = function() rawset(getmetatable("").__index, "rep", false) end,
    ["rawset(string)"] = function() rawset(string, "rep", false) end,
    ["rawset(package.loaded.string)"] = function() rawset(package.loaded.string, "rep", false) end,
    ["string.rep"] = function() string.rep = false end,
    ["package.loaded.string (the entry)"] = function() package.loaded.string = {} end,
  }
  local open = {}
  for name, f in pairs(attempts) do
    if pcall(f) then open[#open + 1] = name end
  end
  table.sort(open)
  return table.concat(open, ", "), ("ab"):rep(2), #("x"):rep(3), string.rep("c", 2)
end

local open, rep, len, rep2 = writes()
expect.eq(open, "", "every library table is read-only in the host")
expect.eq({ rep, len, rep2 }, { "abab", 3, "cc" }, "string methods still work")

-- another process sees the untouched library
local me = otp.self()
otp.spawn(function() otp.send(me, { ("z"):rep(3), print ~= false, math.pi > 3.14 }) end)
expect.eq(otp.receive(function(m) return type(m) == "table" end, 5000), { "zzz", true, true })

-- the same in a sandbox
expect.eq(otp.sandbox.create("c4_box", {}), true)
local sopen, srep = otp.sandbox.run("c4_box", writes)
expect.eq(sopen, "", "every library table is read-only in a sandbox")
expect.eq(srep, "abab", "string methods work in a sandbox")
otp.sandbox.destroy("c4_box")
