-- otp.fault.delay{to=, from=, match=, ms=}: matching messages arrive ms
-- later, and the sender's later messages to the same receiver wait behind
-- them, so a pair's order never changes (rule A13), nor its order with the
-- sender's signals; other senders are not held back. Each held message is
-- traced as fault_delay.
local expect = otp.expect
local me = otp.self()
local session = otp.trace.start{pids = "all", kinds = {"fault_delay"}}

-- the collector forwards what it receives, in its arrival order
local collector = otp.spawn(function()
  while true do otp.send(me, {"got", otp.receive()}) end
end)
local function got(n)
  local out = {}
  for i = 1, n do out[i] = expect.receive(otp.match{"got"}, 5000)[2] end
  return out
end
local a = otp.spawn(function()
  otp.receive("go")
  otp.send(collector, {"slow", 1})      -- matches: held 200 ms
  otp.send(collector, {"fast", 2})      -- does not match, but waits behind it
  otp.send(collector, {"fast", 3})
  otp.send(me, "a_sent")
  otp.receive()
end)
local rule = otp.fault.delay{from = a, to = collector, match = {"slow"}, ms = 200}
local t0 = otp.monotonic_time()
otp.send(a, "go")
expect.receive("a_sent", 5000)
otp.send(collector, "from_me")         -- another sender: not held
local order = got(4)
expect.eq(order, {"from_me", {"slow", 1}, {"fast", 2}, {"fast", 3}})
expect.truthy(otp.monotonic_time() - t0 >= 200, "the held message arrived before its 200 ms")
expect.eq(#session:events(), 3)         -- the matching one and the two behind it

-- clearing the rule does not let later messages overtake the held ones
local b = otp.spawn(function()
  while true do
    for _, m in ipairs(otp.receive()) do otp.send(collector, m) end
  end
end)
local r2 = otp.fault.delay{from = b, to = collector, match = function(m) return m == "x" end, ms = 100}
otp.send(b, {"x"})
local held = expect.events(session, {{kind = "fault_delay", pid = b}}, 5000)
expect.truthy(held)
expect.eq(r2.clear(), true)
otp.send(b, {"y", "z"})
expect.eq(got(3), {"x", "y", "z"})
-- once nothing is held, the pair flows freely again (no new fault_delay)
local before = #session:events()
otp.send(b, {"w"})
expect.eq(got(1), {"w"})
expect.eq(#session:events(), before)
rule.clear()

-- a receiver that dies while messages wait for it: they are lost, nothing breaks
local doomed = otp.spawn(otp.receive)
local r3 = otp.fault.delay{to = doomed, ms = 50}
otp.send(doomed, "never seen")
local ref = otp.monitor(doomed)
otp.exit(doomed, "kill")
expect.eq(expect.receive(otp.match{"DOWN", ref}, 1000)[5], "killed")
otp.sleep(100)                          -- past the held message's time
r3.clear()

-- signals of a pair keep their order with its messages: a sender's exit, or
-- its exit/2, first delivers what it still holds (the 10 s delay is cut short)
local r4 = otp.fault.delay{to = me, ms = 10000}
local sender, ref4 = otp.spawn_monitor(function() otp.send(me, "last words") end)
expect.eq(otp.receive(nil, 5000), "last words")
expect.eq(expect.receive(otp.match{"DOWN", ref4}, 5000)[5], "normal")
otp.trap_exit(true)
local s2 = otp.spawn(function()
  otp.send(me, "before")
  otp.exit(me, "bye")
  otp.receive()
end)
expect.eq(otp.receive(nil, 5000), "before")
expect.eq(otp.receive(nil, 5000), {"EXIT", s2, "bye"})
otp.trap_exit(false)
r4.clear()
expect.dead(sender)

expect.error(function() otp.fault.delay{to = collector} end, "badarg: otp.fault.delay needs ms")
expect.error(function() otp.fault.delay{ms = -1} end, "badarg:")
expect.error(function() otp.fault.delay{ms = 1, count = 2} end, "badarg: otp.fault.delay does not know the option 'count'")
expect.error(function() otp.fault.delay{ms = 1, from = "x"} end, "badarg: otp.fault.delay: from must be a pid")
