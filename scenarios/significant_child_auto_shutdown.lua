-- A significant transient child with auto_shutdown = any_significant: when
-- it finishes normally the supervisor terminates the rest and exits
-- "shutdown" (rule C16).
local expect, sup = otp.expect, otp.supervisor
otp.trap_exit(true)
local root = sup.start_link{strategy = "one_for_one", auto_shutdown = "any_significant",
  children = {
    {id = "helper", start = {function() return otp.spawn_link(function() otp.receive() end) end}},
    {id = "session", restart = "transient", significant = true,
     start = {function() return otp.spawn_link(function() otp.receive("done") end) end}},
  }}
local helper = sup.which_children(root)[2].pid     -- newest first
local session = sup.which_children(root)[1].pid
local ref = otp.monitor(helper)
otp.send(session, "done")
expect.receive(otp.match{"DOWN", ref, "process", helper, "shutdown"}, 1000)
expect.receive(otp.match{"EXIT", root, "shutdown"}, 1000)
