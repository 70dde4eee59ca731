-- C1: children start one after the other in the order of the spec list, and
-- each start is synchronous: the supervisor calls the next start function
-- only after the previous one returned (here: after the child's init ran
-- and acknowledged), and start_link returns only when every child started.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()

-- A start function in the style of proc_lib: spawn_link, then wait for the
-- child to say its init is done. It runs in the supervisor and tells the
-- test when it is entered.
local function start(name)
  otp.send(me, {"start called", name})
  local sup = otp.self()
  local pid = otp.spawn_link(function()
    otp.send(me, {"init", name})
    otp.send(sup, {"ack", otp.self()})
    otp.receive()
  end)
  otp.receive({"ack", pid})
  return pid
end

local trace = otp.trace.start{kinds = {"sup_start_child"}, to = me}
local sup = assert(supervisor.start_link{children = {
  {id = "a", start = {start, "a"}},
  {id = "b", start = {start, "b"}},
  {id = "c", start = {start, "c"}},
}})
otp.send(me, "start_link returned")

local events = {}
for i = 1, 10 do
  local m = expect.receive(nil, 1000)
  if m[1] == "trace" then m = {m[2].kind, m[2].id, m[2].child} end
  events[i] = m
end
local kids = supervisor.which_children(sup)
local pid = {}
for _, c in ipairs(kids) do pid[c.id] = c.pid end
expect.eq(events, {
  {"start called", "a"}, {"init", "a"}, {"sup_start_child", "a", pid.a},
  {"start called", "b"}, {"init", "b"}, {"sup_start_child", "b", pid.b},
  {"start called", "c"}, {"init", "c"}, {"sup_start_child", "c", pid.c},
  "start_link returned",
})
trace:stop()
expect.no_message(nil, 0)
