-- C3d: the stuck-call clock belongs to one slice. A process preempted once
-- inside a non-yieldable call (a sort comparator), which then waits longer
-- than the stuck limit and sorts again, is innocent and must not be killed.
local expect = otp.expect
local me = otp.self()

local function sort_with_comparator()
  local xs = {}
  for i = 1, 30000 do xs[i] = (i * 7919) % 30011 end
  table.sort(xs, function(a, b) return a < b end)    -- a few slices long
  return xs[1] <= xs[2]
end

local pid = otp.spawn(function()
  for _ = 1, 2 do
    sort_with_comparator()
    otp.sleep(2100)                                 -- longer than the 2000 ms limit
  end
  sort_with_comparator()
  otp.send(me, "still alive")
end)
local ref = otp.monitor(pid)
expect.eq(otp.receive(nil, 20000), "still alive")
expect.eq(otp.receive(otp.match{"DOWN", ref}, 5000)[5], "normal")
