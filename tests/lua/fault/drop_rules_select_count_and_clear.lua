-- otp.fault.drop: matching messages vanish at the send (which succeeds);
-- from/to/match/count select them; the survivors keep their order (A13);
-- clear() and rule:clear() end a rule; each drop is a fault_drop event.
local expect = otp.expect
local me = otp.self()
local session = otp.trace.start{pids = "all", kinds = {"fault_drop"}}

local echo = otp.spawn(function()
  while true do
    local m = otp.receive()
    otp.send(m.from, m.n)
  end
end)

-- by pattern and count: the first two {n=2} vanish, the third arrives
local rule = otp.fault.drop{to = echo, match = {n = 2}, count = 2}
for _, n in ipairs{1, 2, 3, 2, 4, 2, 5} do
  expect.eq(otp.send(echo, {from = me, n = n}), {from = me, n = n})
end
local got = {}
for _ = 1, 5 do got[#got + 1] = otp.receive(nil, 1000) end
expect.eq(got, {1, 3, 4, 2, 5})
expect.no_message(nil, 0)
expect.eq(rule.clear(), false)             -- count used up: already gone

-- by sender: only messages from `me` to echo are dropped
local rule2 = otp.fault.drop{from = me, to = echo}
otp.send(echo, {from = me, n = 10})
local other = otp.spawn(function(to) otp.send(echo, {from = to, n = 11}) end, me)
expect.eq(otp.receive(nil, 1000), 11)
expect.no_message(nil, 50)
expect.dead(other)
expect.eq(rule2.clear(), true)
otp.send(echo, {from = me, n = 12})
expect.eq(otp.receive(nil, 1000), 12)

-- by registered name and function; otp.fault.clear() removes it
otp.register("echo", echo)
otp.fault.drop{to = "echo", match = function(m) return m.n > 100 end}
otp.send(echo, {from = me, n = 101})
otp.send("echo", {from = me, n = 7})
expect.eq(otp.receive(nil, 1000), 7)
otp.fault.clear()
otp.send(echo, {from = me, n = 102})
expect.eq(otp.receive(nil, 1000), 102)

local drops = session:events(function(e) return e.kind == "fault_drop" end)
expect.eq(#drops, 4)
expect.eq(drops[1].pid, me)
expect.eq(drops[1].to, echo)

expect.error(function() otp.fault.drop{count = 0} end, "badarg:")
expect.error(function() otp.fault.drop{bogus = 1} end, "badarg:")
expect.error(function() otp.fault.drop{match = 3} end, "badarg:")
