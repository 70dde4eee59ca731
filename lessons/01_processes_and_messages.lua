-- Lesson 1: Processes, messages and mailboxes
-- spawn a process, send it messages, receive selectively, and see a mailbox.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Processes, messages and mailboxes")
lesson.say("I am the first process, %s. Every process has a pid and a mailbox.", tostring(otp.self()))

local me = otp.self()
local echo
lesson.step("Spawn a process and talk to it", function()
  echo = otp.spawn(function()
    otp.set_label("echo")
    while true do
      local msg = otp.receive()
      if msg[1] == "stop" then return end
      otp.send(msg[2], {"echoed", msg[3]})
    end
  end)
  otp.send(echo, {"say", me, "hello"})
  lesson.say("I spawned %s (label 'echo') and sent it {\"say\", me, \"hello\"}. It answered:", tostring(echo))
  lesson.show(expect.receive(otp.match{"echoed", "hello"}))
  return {echo = echo}
end)

lesson.step("A mailbox keeps messages in arrival order; receive can pick", function()
  otp.send(me, {"low", 1}); otp.send(me, {"high", 2}); otp.send(me, {"low", 3})
  lesson.say("I sent myself three messages; my mailbox holds them in the order they were sent:")
  expect.eq(otp.process_info(me, "messages"), {{"low", 1}, {"high", 2}, {"low", 3}})
  lesson.show(otp.process_info(me, "messages"))
  local high = otp.receive(otp.match{"high"})
  expect.eq(high, {"high", 2})
  lesson.say("A selective receive for {\"high\"} took the second one and left the others in order (A13):")
  expect.eq(otp.process_info(me, "messages"), {{"low", 1}, {"low", 3}})
  lesson.show(otp.process_info(me, "messages"))
  otp.receive(); otp.receive()
  local nothing, why = otp.receive(nil, 0)
  expect.eq({nothing, why}, {nil, "timeout"})
  lesson.say("With the mailbox empty, receive(nil, 0) polls and returns nil, \"timeout\".")
end)

lesson.step("Messages are copies: share nothing", function()
  local t = {n = 1}
  local keeper = otp.spawn(function(parent)
    local got = otp.receive()
    got.n = 99                               -- changes only the receiver's copy
    otp.send(parent, {"mine", got.n})
  end, me)
  otp.send(keeper, t)
  expect.eq(expect.receive(otp.match{"mine"})[2], 99)
  expect.eq(t.n, 1)
  lesson.say("The receiver set n = 99 in what it got; my table still says n = %d.", t.n)
end)

lesson.step("A message to a dead pid vanishes; a monitor says why a process ended", function()
  local ref = otp.monitor(echo)
  otp.send(echo, {"stop"})
  local down = expect.receive(otp.match{"DOWN", ref})
  lesson.show(down)
  expect.eq(down[5], "normal")
  lesson.say("Returning from its function is the exit reason \"normal\". Sending to it now")
  lesson.say("succeeds silently (A12): otp.send returns the message, nobody gets it.")
  local letter = {"say", me, "anyone?"}
  expect.eq(otp.send(echo, letter), letter)
  expect.dead(echo)
end)

-- The exercise: the learner talks to a new echo; check() looks for its
-- answer in this process's mailbox (the shell's own), without taking it.
local echo2 = otp.spawn(function()
  otp.set_label("echo2")
  while true do
    local msg = otp.receive()
    if type(msg) == "table" and msg[1] == "say" and type(msg[2]) == "userdata" then
      otp.send(msg[2], {"echoed", msg[3]})
    end
  end
end)
local function pong_check()
  local queued = otp.process_info(me, "messages")
  for _, m in ipairs(queued) do
    if type(m) == "table" and m[1] == "echoed" and m[2] == "ping" then return true end
  end
  return false, "your mailbox holds no {\"echoed\", \"ping\"}; it holds " .. otp.inspect(queued) ..
    ". echo2 answers {\"say\", sender, text} by sending {\"echoed\", text} to sender"
end
lesson.expose{echo2 = echo2}
lesson.exercise("make echo2 send you {\"echoed\", \"ping\"}: otp.send(echo2, {\"say\", otp.self(), ...}); " ..
  "the answer lands in your own mailbox (flush() would show it, but leave it there for check())",
  pong_check,
  function()
    otp.send(echo2, {"say", me, "ping"})
    expect.eventually(pong_check)            -- until the answer is in the mailbox
  end)
otp.receive(otp.match{"echoed", "ping"}, 0)   -- the learner may have flushed it already
otp.exit(echo2, "kill")

lesson.finish{try = "p = otp.spawn(function() local m = otp.receive(); otp.send(m[1], {\"got\", m[2]}) end); otp.send(p, {otp.self(), \"hi\"}); pp(otp.receive())",
              next = "Exit reasons"}
