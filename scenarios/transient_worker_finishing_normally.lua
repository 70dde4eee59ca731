-- A transient worker that finishes its job normally is not restarted
-- (rule C5); one that crashes is.
local expect, sup = otp.expect, otp.supervisor
local root = sup.start_link{strategy = "one_for_one", children = {
  {id = "job", restart = "transient", start = {function()
    return otp.spawn_link(function() otp.receive("finish") end)
  end}},
}}
local first = sup.which_children(root)[1].pid
otp.send(first, "oops")           -- no such message: it keeps waiting
otp.exit(first, "crash")
local second
expect.eventually(function()
  second = sup.which_children(root)[1].pid
  return type(second) ~= "string" and second ~= first
end)
local ref = otp.monitor(second)
otp.send(second, "finish")
expect.receive(otp.match{"DOWN", ref, "process", second, "normal"}, 1000)
expect.no_message(nil, 50)
expect.eq(sup.which_children(root)[1].pid, "undefined")
