-- A2: exit(P, kill) is untrappable: P dies even if trapping; its exit reason
-- (seen by links and monitors) is `killed`, not `kill`.
local expect = require "otp.expect"
local main = otp.self()

-- Traps exits if asked, says ready, then forwards every message to `boss`.
local function relay(boss, trap)
  otp.trap_exit(trap)
  otp.send(boss, {"ready", otp.self()})
  while true do
    otp.send(boss, {"got", otp.self(), otp.receive()})
  end
end

-- 1. A trapping P dies; the monitor sees "killed"; P got no EXIT message.
do
  local p = otp.spawn(relay, main, true)
  expect.receive({"ready", p})
  expect.eq(otp.process_info(p, "trap_exit"), true)
  local ref = otp.monitor(p)
  expect.eq(otp.exit(p, "kill"), true)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "killed"})
  expect.dead(p)
  expect.no_message({"got", p}, 0, "a killed trapping process forwarded nothing")
end

-- 2. A non-trapping P dies the same way.
do
  local p = otp.spawn(relay, main, false)
  expect.receive({"ready", p})
  local ref = otp.monitor(p)
  otp.exit(p, "kill")
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "killed"})
end

-- 3. Links see "killed": a trapping linked peer (main) gets
-- {"EXIT", P, "killed"}; a non-trapping linked peer Q dies with "killed".
do
  otp.trap_exit(true)
  local p = otp.spawn_link(relay, main, true)
  expect.receive({"ready", p})
  local q = otp.spawn(function(target, boss)
    otp.link(target)
    otp.send(boss, {"linked", otp.self()})
    otp.receive()
  end, p, main)
  expect.receive({"linked", q})
  local pref, qref = otp.monitor(p), otp.monitor(q)
  otp.exit(p, "kill")
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, "killed"})
  expect.eq(expect.receive({"DOWN", pref}), {"DOWN", pref, "process", p, "killed"})
  expect.eq(expect.receive({"DOWN", qref}), {"DOWN", qref, "process", q, "killed"})
  expect.no_message({"EXIT", p}, 0, "exactly one EXIT from P")
  otp.trap_exit(false)
end

-- 4. exit(self(), kill) is exit/2 too: untrappable, reason "killed", and the
-- code after it never runs.
do
  local p, ref = otp.spawn_monitor(function(boss)
    otp.trap_exit(true)
    otp.exit(otp.self(), "kill")
    otp.send(boss, "still running after exit(self(), kill)")
  end, main)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "killed"})
  expect.no_message("still running after exit(self(), kill)", 0)
end

-- 5. Sent by another process while P waits in a receive with a timeout.
do
  local p, ref = otp.spawn_monitor(function()
    otp.trap_exit(true)
    otp.receive(function() return false end, 60000)
  end)
  expect.eventually(function() return otp.process_info(p, "status") == "waiting" end)
  otp.spawn(function(target) otp.exit(target, "kill") end, p)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "killed"})
end
