-- Lesson 21: Safe tracing
-- trace a busy system with a rate limit: the session stops itself instead of drowning the node.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Safe tracing")
local me = otp.self()

-- Two processes playing ping-pong as fast as they can.
local function player(name)
  otp.set_label(name)
  while true do
    local m = otp.receive()
    if m == "stop" then return end
    otp.send(m, otp.self())
  end
end
local a, b = otp.spawn(player, "a"), otp.spawn(player, "b")
otp.send(a, b)

lesson.step("A session with rate = 100 events/s on a busy pair", function()
  local session = otp.trace.start{pids = {a, b}, kinds = {"send", "receive"}, rate = 100}
  local status = expect.eventually(function()
    local s = session:status(); return not s.active and s end, 5000)
  expect.eq(status.stopped_because, "rate")
  lesson.show(status, "status")
  lesson.say("It recorded %d events, then stopped itself: stopped_because = \"rate\".", status.events)
  lesson.say("Like recon_trace, a trace in production must have a limit that ends it.")
end)

lesson.step("A bounded ring keeps only the newest events", function()
  local session = otp.trace.start{pids = {a}, kinds = {"send"}, max_events = 10}
  expect.eventually(function() return session:status().dropped > 0 end, 5000)
  session:stop()
  local events = session:events()
  expect.eq(#events, 10)
  lesson.say("max_events = 10: %d events kept, %d older ones dropped.", #events, session:status().dropped)
  local before = otp.process_info(a, "reductions")
  expect.eventually(function() return otp.process_info(a, "reductions") > before end)
  lesson.say("The players kept playing all along: a's reductions still grow.")
  return {a = a, b = b}
end)

-- The exercise: a session with neither a rate nor a small ring, left running
-- on the busy pair; the learner ends it.
local runaway = otp.trace.start{pids = {a, b}, kinds = {"send", "receive"}}
local function stopped_check()
  local st = runaway:status()
  if st.active then
    return false, "runaway is still active, " .. st.events .. " events in its ring (" .. st.dropped ..
      " dropped): it has no rate limit, so nothing but you will end it"
  end
  return true
end
lesson.expose{runaway = runaway}
lesson.exercise("runaway, a session with no rate limit, traces the players' every message: " ..
  "look at runaway:status(), then end it",
  stopped_check,
  function() runaway:stop() end)
expect.eq(runaway:status().stopped_because, "stopped")
otp.exit(a, "kill"); otp.exit(b, "kill")

lesson.finish{try = "p = otp.spawn(function() while true do otp.send(otp.self(), 1); otp.receive() end end); s = otp.trace.start{pids = {p}, kinds = {\"send\"}, rate = 50}; otp.sleep(1500); pp(s:status())",
              next = "sys: inside a running server"}
