-- C3b: a coroutine resumed from a call that cannot yield (a table.sort
-- comparator) and looping there is stopped by the stuck-call kill; it used
-- to be preempted, resumed again at once, and never stopped.
local expect = otp.expect
local pid, ref = otp.spawn_monitor(function()
  table.sort({3, 2, 1}, function(a, b)
    coroutine.wrap(function() while true do end end)()
    return a < b
  end)
end)
local down = otp.receive(otp.match{"DOWN", ref}, 20000)
expect.eq(down[1], "DOWN")
expect.eq(down[5][1], "error")
expect.truthy(tostring(down[5][2]):find("cannot be preempted", 1, true))
