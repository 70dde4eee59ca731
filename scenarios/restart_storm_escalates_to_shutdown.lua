-- A restart storm: a worker that dies as soon as it starts uses up the
-- supervisor's intensity (2 restarts in 5 s); the third failure shuts the
-- supervisor down with reason "shutdown" (rule C9).
local expect, sup = otp.expect, otp.supervisor
otp.trap_exit(true)
local root = sup.start_link{strategy = "one_for_one", intensity = 2, period = 5, children = {
  {id = "flaky", start = {function()
    return otp.spawn_link(function() otp.sleep(10) error("flaky start") end)
  end}},
}}
expect.receive(otp.match{"EXIT", root, "shutdown"}, 2000)
expect.eq(#otp.analytics.restart_history(root), 2)
