-- A cascade through nested supervisors: the inner supervisor gives up
-- (intensity 1), exits "shutdown", and its parent restarts it as any child
-- (rule C11); the re-started inner supervisor has a fresh worker.
local expect, sup = otp.expect, otp.supervisor
local worker = {id = "w", start = {function()
  return otp.spawn_link(function() otp.receive() end)
end}}
local root = sup.start_link{strategy = "one_for_one", intensity = 3, period = 5, children = {
  {id = "inner", type = "supervisor", start = {sup.start_link,
    {strategy = "one_for_one", intensity = 1, period = 5, children = {worker}}}},
}}
local inner = sup.which_children(root)[1].pid
local w1 = sup.which_children(inner)[1].pid
otp.exit(w1, "kill")                          -- restart 1 of 1: fine
local w2
expect.eventually(function()
  w2 = sup.which_children(inner)[1].pid
  return type(w2) ~= "string" and w2 ~= w1
end)
local ref = otp.monitor(inner)
otp.exit(w2, "kill")                          -- restart 2 of 1: the inner gives up
expect.receive(otp.match{"DOWN", ref, "process", inner, "shutdown"}, 1000)
local inner2
expect.eventually(function()
  inner2 = sup.which_children(root)[1].pid
  return type(inner2) ~= "string" and inner2 ~= inner
end)
expect.eq(#otp.analytics.restart_history(root), 1)
expect.alive(sup.which_children(inner2)[1].pid)
