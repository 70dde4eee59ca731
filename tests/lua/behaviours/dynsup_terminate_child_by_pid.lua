-- Dynamic supervisor: terminate_child(sup, pid) stops that child (exit
-- shutdown, its shutdown time, then kill) and forgets it: true. A pid that
-- is not, or no longer, one of its children: nil, "not_found". Stopping a
-- child is never followed by a restart.
local expect = require "otp.expect"
local ds = otp.dynamic_supervisor
local me = otp.self()

local function start(name, stubborn)
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stop", name, m[3]})
    if stubborn then otp.receive({"never"}) end
    otp.exit(m[3])
  end)
end

local sup = assert(ds.start_link{intensity = 0})
local a = assert(ds.start_child(sup, {start = {start, "a"}}))
local b = assert(ds.start_child(sup, {start = {start, "b", true}, shutdown = 50}))
expect.receive({"init", "a"})
expect.receive({"init", "b"})

local trace = otp.trace.start{kinds = {"sup_terminate_child", "sup_restart"}, to = me}
expect.eq(ds.terminate_child(sup, a), true)
expect.eq(expect.receive(), {"stop", "a", "shutdown"})
local ev = expect.receive({"trace"})[2]
expect.eq({ev.kind, ev.child, ev.reason}, {"sup_terminate_child", a, "shutdown"})
expect.eq({ds.terminate_child(sup, a)}, {nil, "not_found"})
expect.eq({ds.terminate_child(sup, me)}, {nil, "not_found"})

expect.eq(ds.terminate_child(sup, b), true)          -- killed after 50 ms
expect.eq(expect.receive(), {"stop", "b", "shutdown"})
ev = expect.receive({"trace"})[2]
expect.eq({ev.kind, ev.child, ev.reason}, {"sup_terminate_child", b, "killed"})
expect.eq(ds.which_children(sup), {})
expect.alive(sup)                                     -- intensity 0: no restart happened
trace:stop()
expect.no_message(nil, 0)
