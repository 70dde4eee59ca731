-- Helper of the c3f tests (files starting with _ are not scenarios):
--
--   local ticks = dofile((arg[0]:match("^(.*/)") or "") .. "_ticks.lua")
--   ticks(50)   -- a host ticker takes 50 turns; returns when all arrived
--
-- A host process sends the caller 50 numbered ticks, yielding between them,
-- and ends; the caller receives them in order (bounded waits) and the
-- ticker's normal DOWN. If some call held the scheduler, no tick could
-- arrive while it ran: the proof that host processes kept their turns.
local expect = otp.expect

return function(n)
  local me = otp.self()
  local _, ref = otp.spawn_opt(function()
    for i = 1, n do
      otp.send(me, {"tick", i})
      otp.yield()
    end
  end, {monitor = true})
  for i = 1, n do expect.eq(expect.receive({"tick"}, 10000)[2], i) end
  expect.eq(expect.receive({"DOWN", ref}, 10000)[5], "normal", "the ticker finished")
end
