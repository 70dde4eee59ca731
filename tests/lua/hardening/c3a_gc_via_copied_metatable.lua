-- C3a: a __gc field added to a metatable after setmetatable is inert in the
-- source process; copying the table into a new process must keep it inert
-- (the copy's metatable may not make the copy finalizable), or a finalizer
-- would run user code outside any process, with hooks off.
local expect = otp.expect
local me = otp.self()

local mt = {}
local t = setmetatable({}, mt)
mt.__gc = function() otp.send(me, "finalized") end    -- inert here

local child = otp.spawn(function()
  local copy = t                       -- the closure's upvalue is copied
  expect.eq(type(getmetatable(copy).__gc), "function")  -- the field travels as data
  copy, t = nil, nil
  collectgarbage()
  collectgarbage()
  otp.send(me, "collected")
end)
local ref = otp.monitor(child)
expect.eq(otp.receive(nil, 5000), "collected")
expect.eq(otp.receive(otp.match{"DOWN", ref}, 5000)[1], "DOWN")
collectgarbage()
otp.send(me, "marker")
expect.eq(otp.receive(nil, 1000), "marker")            -- no "finalized" came first
