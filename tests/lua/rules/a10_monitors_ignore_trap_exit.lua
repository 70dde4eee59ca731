-- A10: monitors ignore trap_exit: a trapping or non-trapping watcher gets
-- the same DOWN message (never an EXIT), is never killed by the target's
-- death, and the target is not affected by the watcher's death.
local expect = require "otp.expect"
local main = otp.self()

local function watcher(boss, target, trap)
  otp.trap_exit(trap)
  local ref = otp.monitor(target)
  otp.send(boss, {"watching", otp.self(), ref})
  local m = otp.receive()
  otp.send(boss, {"got", otp.self(), m})
  otp.send(boss, {"left", otp.self(), otp.process_info(otp.self(), "message_queue_len")})
  otp.receive()
end

-- 1. A target crashing with "boom": both watchers get {"DOWN", Ref, "process", T, "boom"}
-- as a message, no EXIT, and both live.
do
  local t = otp.spawn(function() otp.exit(otp.receive()) end)
  local w1 = otp.spawn(watcher, main, t, true)
  local w2 = otp.spawn(watcher, main, t, false)
  local ref1 = expect.receive({"watching", w1})[3]
  local ref2 = expect.receive({"watching", w2})[3]
  local m1, m2 = otp.monitor(w1), otp.monitor(w2)
  otp.send(t, "boom")
  expect.eq(expect.receive({"got", w1})[3], {"DOWN", ref1, "process", t, "boom"})
  expect.eq(expect.receive({"got", w2})[3], {"DOWN", ref2, "process", t, "boom"})
  expect.eq(expect.receive({"left", w1})[3], 0, "no EXIT for the trapping watcher")
  expect.eq(expect.receive({"left", w2})[3], 0)
  expect.alive(w1); expect.alive(w2)
  expect.no_message({"DOWN", m1}, 0); expect.no_message({"DOWN", m2}, 0)
  otp.exit(w1, "kill"); otp.exit(w2, "kill")
end

-- 2. Killed target: the non-trapping watcher is not killed either.
do
  local t = otp.spawn(function() otp.receive() end)
  local w = otp.spawn(watcher, main, t, false)
  local ref = expect.receive({"watching", w})[3]
  otp.exit(t, "kill")
  expect.eq(expect.receive({"got", w})[3], {"DOWN", ref, "process", t, "killed"})
  expect.alive(w)
  otp.exit(w, "kill")
end

-- 3. Monitors are one-way: the watcher's death sends nothing to the target.
do
  otp.trap_exit(true)
  local w, wref = otp.spawn_monitor(function(target)
    otp.monitor(target)
    otp.exit("watcher crashed")
  end, main)
  expect.eq(expect.receive({"DOWN", wref})[5], "watcher crashed")
  expect.no_message({"EXIT", w}, 0, "no link, no EXIT")
  expect.no_message(function(m) return type(m) == "table" and m[1] == "DOWN" and m[4] == w end, 0)
  expect.eq(otp.process_info(main, "monitored_by"), {}, "the dead watcher's monitor is gone")
  otp.trap_exit(false)
end
