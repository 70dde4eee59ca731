-- A1: exit(P, normal) to a non-trapping P is ignored; to a trapping P it
-- becomes the message {'EXIT', Sender, normal}.
local expect = require "otp.expect"
local main = otp.self()

-- Traps exits if asked, says ready, then reports every message to `boss`
-- as {"got", self, msg} and answers {"ping", from} with {"pong", self}.
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

local function ping(pid)
  otp.send(pid, {"ping", otp.self()})
  expect.receive({"pong", pid})
end

-- 1. Non-trapping P: the signal is ignored; P lives and gets no message.
do
  local p = otp.spawn(relay, main, false)
  expect.receive({"ready", p})
  local ref = otp.monitor(p)
  expect.eq(otp.exit(p, "normal"), true, "exit/2 returns true")
  ping(p)                            -- P handled the signal before this ping
  expect.alive(p)
  expect.no_message({"DOWN", ref}, 0, "non-trapping P ignored exit(P, normal)")
  expect.no_message({"got", p}, 0, "non-trapping P received no EXIT message")
  expect.eq(otp.process_info(p, "message_queue_len"), 0)
  otp.exit(p, "kill")
  expect.eq(expect.receive({"DOWN", ref})[5], "killed")
end

-- 2. Trapping P: the signal becomes {"EXIT", Sender, "normal"}; P lives.
do
  local p = otp.spawn(relay, main, true)
  expect.receive({"ready", p})
  local ref = otp.monitor(p)
  otp.exit(p, "normal")
  local got = expect.receive({"got", p})
  expect.eq(got[3], {"EXIT", main, "normal"})
  ping(p)
  expect.alive(p)
  expect.no_message({"DOWN", ref}, 0)
  expect.no_message({"got", p}, 0, "exactly one EXIT message")
  otp.exit(p, "kill")
  expect.receive({"DOWN", ref})
end

-- 3. The Sender in the message is whoever called exit/2, not always main.
do
  local p = otp.spawn(relay, main, true)
  expect.receive({"ready", p})
  local s = otp.spawn(function(target, boss)
    otp.exit(target, "normal")
    otp.send(boss, {"sent", otp.self()})
    otp.receive()                     -- stay alive until told
  end, p, main)
  expect.receive({"sent", s})
  local got = expect.receive({"got", p})
  expect.eq(got[3], {"EXIT", s, "normal"})
  expect.alive(p)
  otp.exit(s, "kill")
  otp.exit(p, "kill")
end
