-- Proves: a module's functions are code, shared like the module (DESIGN.md
-- "Share nothing": module tables are code, not state). A module function
-- handed to spawn, or carried in a spawn-copied value such as a child
-- spec, is the module's own function in the child, even one that reads no
-- global and reaches the module's local helpers only through its upvalues:
-- the child's call and the parent's direct call go through the same
-- helper. A closure made by a call at run time is still copied with its
-- own upvalues.
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. dir))
local f = assert(io.open(dir .. "/ticket.lua", "w"))
f:write([[
local issued = 0
local function issue() issued = issued + 1; return issued end
local M = {}
function M.next() return issue() end
function M.counter()
  local n = 0
  return function() n = n + 1; return n end
end
return M
]])
f:close()
package.path = dir .. "/?.lua;" .. package.path
local ticket = require "ticket"

local me = otp.self()
local function answer()
  local m = otp.receive(nil, 2000)
  assert(m ~= nil, "the child never answered")
  return m
end

-- The module function as the body's argument: the child's call issues
-- ticket 1 from the module's own helper, so the parent's next call issues 2.
otp.spawn(function(parent, next_ticket) otp.send(parent, next_ticket()) end, me, ticket.next)
assert(answer() == 1, "the child's call did not issue the first ticket")
local mine = ticket.next()
assert(mine == 2, "the parent's call after the child's issued ticket " .. tostring(mine) ..
       ": the child called a copy of the module's helper, not the module's")

-- The same inside a table copied as spawn copies it.
otp.spawn(function(parent, spec) otp.send(parent, spec.start[1]()) end, me, {start = {ticket.next}})
assert(answer() == 3, "a module function inside a copied table was not the module's")

-- A closure made at run time keeps its own copied cells.
local count = ticket.counter()
assert(count() == 1)
otp.spawn(function(parent, c) otp.send(parent, c()) end, me, count)
assert(answer() == 2, "the copied closure lost its cell's value")
assert(count() == 2, "the copied closure shares its cell with the parent's")
os.remove(dir .. "/ticket.lua")
os.remove(dir)
