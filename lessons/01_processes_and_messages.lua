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
  lesson.say("I sent myself three messages; my mailbox now holds:")
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
  otp.send(echo, {"say", me, "anyone?"})
  expect.no_message(otp.match{"echoed"}, 50)
end)

lesson.finish{try = "p = otp.spawn(function() print(otp.receive()) end); otp.send(p, {\"hi\"})",
              next = "Exit reasons"}
