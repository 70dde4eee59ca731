-- C6: one_for_one: only the child that died is restarted, in its place in
-- the start order; its siblings are not touched and keep their pids.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")

local start = children.reporter(me)

local function pids(sup)
  local t = {}
  for _, c in ipairs(supervisor.which_children(sup)) do t[c.id] = c.pid end
  return t
end

local sup = assert(supervisor.start_link{strategy = "one_for_one", children = {
  {id = "a", start = {start, "a"}}, {id = "b", start = {start, "b"}}, {id = "c", start = {start, "c"}},
}})
for _, n in ipairs({"a", "b", "c"}) do expect.receive({"init", n}) end
local before = pids(sup)

local trace = otp.trace.start{kinds = {"sup_start_child", "sup_terminate_child", "sup_restart"}, to = me}
otp.send(before.b, {"die", "boom"})
local events = {}
for i = 1, 3 do
  local m = expect.receive(nil, 1000)
  if m[1] == "trace" then m = {m[2].kind, m[2].id} end
  events[i] = m
end
expect.eq(events, {{"init", "b"}, {"sup_start_child", "b"}, {"sup_restart", "b"}})
local after = pids(sup)
expect.eq({after.a, after.c}, {before.a, before.c})
expect.truthy(after.b ~= before.b and otp.is_alive(after.b))
expect.eq(supervisor.which_children(sup)[2].id, "b", "b keeps its place")
trace:stop()
expect.no_message(nil, 0)
