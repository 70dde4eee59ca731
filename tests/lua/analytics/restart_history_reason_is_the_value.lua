-- otp.analytics.restart_history gives each restart's reason as the value
-- (a table stays a table), for a supervisor in the host and one inside a
-- sandbox, so a scenario can match on it with otp.match.
local expect = require "otp.expect"
otp.trap_exit(true)

local function worker() return otp.spawn_link(otp.receive) end
local sup = assert(otp.supervisor.start_link{strategy = "one_for_one", intensity = 5,
  children = {{id = "w", start = {worker}}}})
local old = otp.supervisor.which_children(sup)[1].pid
otp.exit(old, {"shutdown", "bye"})
local new = expect.restarted(sup, "w", old)
local h = otp.analytics.restart_history(sup)
expect.eq(#h, 1)
expect.eq(h[1].reason, {"shutdown", "bye"})
expect.eq({h[1].old_pid, h[1].new_pid}, {old, new})
expect.truthy(otp.match{reason = {"shutdown", otp._}}(h[1]), "matchable")

-- a supervisor inside a sandbox: the value crosses to the host
assert(otp.sandbox.create("hist", {start = {strategy = "one_for_one", intensity = 5,
  children = {{id = "s", start = {function() return otp.spawn_link(otp.receive) end}}}}}))
local root = otp.sandbox.info("hist").root
local inner = otp.supervisor.which_children(root)[1].pid
otp.exit(inner, {"custom", 42, {nested = true}})
expect.restarted(root, "s", inner)
expect.eq(otp.analytics.restart_history(root)[1].reason, {"custom", 42, {nested = true}})
otp.sandbox.destroy("hist")
