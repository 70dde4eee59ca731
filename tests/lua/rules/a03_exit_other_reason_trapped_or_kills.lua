-- A3: exit(P, R), R not normal/kill: a trapping P gets {'EXIT', Sender, R}
-- and lives; a non-trapping P dies with reason R.
local expect = require "otp.expect"
local main = otp.self()

local function relay(boss, trap)
  otp.trap_exit(trap)
  otp.send(boss, {"ready", otp.self()})
  while true do
    local m = otp.receive()
    if type(m) == "table" and m[1] == "ping" then
      otp.send(m[2], {"pong", otp.self()})
    else
      otp.send(boss, {"got", otp.self(), m})
    end
  end
end

local function start(trap)
  local p = otp.spawn(relay, main, trap)
  expect.receive({"ready", p})
  return p, otp.monitor(p)
end

local reasons = {"boom", "shutdown", {"shutdown", "bye"}, {"error", {code = 42}, 1.5}, 7}

-- 1. Trapping P: one {"EXIT", main, R} message per signal, R copied intact; P lives.
for _, r in ipairs(reasons) do
  local p, ref = start(true)
  otp.exit(p, r)
  local got = expect.receive({"got", p})
  expect.eq(got[3], {"EXIT", main, r})
  otp.send(p, {"ping", main})
  expect.receive({"pong", p})
  expect.alive(p)
  expect.no_message({"DOWN", ref}, 0)
  expect.no_message({"got", p}, 0)
  otp.exit(p, "kill")
  expect.receive({"DOWN", ref})
end

-- 2. Non-trapping P dies with exactly R (the monitor's DOWN carries it).
for _, r in ipairs(reasons) do
  local p, ref = start(false)
  otp.exit(p, r)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, r})
  expect.dead(p)
  expect.no_message({"got", p}, 0, "P got no message before dying")
end

-- 3. The Sender field names the process that called exit/2.
do
  local p, ref = start(true)
  local s = otp.spawn(function(target, boss)
    otp.exit(target, "boom")
    otp.send(boss, {"sent", otp.self()})
  end, p, main)
  expect.receive({"sent", s})
  expect.eq(expect.receive({"got", p})[3], {"EXIT", s, "boom"})
  otp.exit(p, "kill")
  expect.receive({"DOWN", ref})
end

-- 4. A non-trapping P's reason is also what its links see: a trapping
-- linked peer gets {"EXIT", P, R} with the same R.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(relay, main, false)
  expect.receive({"ready", p})
  otp.exit(p, {"shutdown", "bye"})
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, {"shutdown", "bye"}})
  otp.trap_exit(false)
end

-- 5. Sent by P to itself: a trapping P gets {"EXIT", P, R} and carries on;
-- a non-trapping P dies with R at once (the code after never runs).
do
  local p, ref = otp.spawn_monitor(function(boss)
    otp.trap_exit(true)
    otp.exit(otp.self(), "self boom")
    otp.send(boss, {"got", otp.self(), otp.receive(nil, 1000)})
  end, main)
  expect.eq(expect.receive({"got", p}), {"got", p, {"EXIT", p, "self boom"}})
  expect.eq(expect.receive({"DOWN", ref})[5], "normal")
  local q, qref = otp.spawn_monitor(function(boss)
    otp.exit(otp.self(), "self boom")
    otp.send(boss, "after the self signal")
  end, main)
  expect.eq(expect.receive({"DOWN", qref}), {"DOWN", qref, "process", q, "self boom"})
  expect.no_message("after the self signal", 0)
end
