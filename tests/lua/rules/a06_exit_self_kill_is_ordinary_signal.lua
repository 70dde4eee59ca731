-- A6: a process ending itself with exit(kill) (exit/1, otp.exit("kill"))
-- sends reason `kill` over links as an ORDINARY signal: trapping peers
-- receive {'EXIT', P, kill}, non-trapping peers die with reason kill. Only
-- exit/2 with kill is untrappable.
local expect = require "otp.expect"
local main = otp.self()

local function peer(boss, target, trap)
  otp.trap_exit(trap)
  otp.link(target)
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

-- 1. P's own exit reason is "kill" (not "killed").
do
  local p, ref = otp.spawn_monitor(function() otp.receive(); otp.exit("kill") end)
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "kill"})
end

-- 2. Over links: a trapping peer receives {"EXIT", P, "kill"} and LIVES;
-- a non-trapping peer dies with reason "kill".
do
  local p = otp.spawn(function() otp.receive(); otp.exit("kill") end)
  local t = otp.spawn(peer, main, p, true)
  local n = otp.spawn(peer, main, p, false)
  expect.receive({"ready", t}); expect.receive({"ready", n})
  local pref, tref, nref = otp.monitor(p), otp.monitor(t), otp.monitor(n)
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", pref})[5], "kill")
  expect.eq(expect.receive({"got", t})[3], {"EXIT", p, "kill"})
  expect.eq(expect.receive({"DOWN", nref}), {"DOWN", nref, "process", n, "kill"})
  otp.send(t, {"ping", main})
  expect.receive({"pong", t})
  expect.alive(t)
  expect.no_message({"DOWN", tref}, 0, "the trapping peer survived a link signal 'kill'")
  otp.exit(t, "kill")
  expect.eq(expect.receive({"DOWN", tref})[5], "killed")
end

-- 3. A non-trapping peer dying with "kill" passes "kill" on, still as an
-- ordinary signal: its own trapping peer gets {"EXIT", N, "kill"}.
do
  local p = otp.spawn(function() otp.receive(); otp.exit("kill") end)
  local n = otp.spawn(peer, main, p, false)
  expect.receive({"ready", n})
  local t = otp.spawn(peer, main, n, true)
  expect.receive({"ready", t})
  local nref = otp.monitor(n)
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", nref})[5], "kill")
  expect.eq(expect.receive({"got", t})[3], {"EXIT", n, "kill"})
  expect.alive(t)
  otp.exit(t, "kill")
end

-- 4. Main itself, trapping and linked, gets the message too.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(function() otp.exit("kill") end)
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, "kill"})
  expect.alive(main)
  otp.trap_exit(false)
end

-- 5. Contrast: exit/2 with kill from P to itself is untrappable and
-- becomes "killed" for its peers (A2).
do
  local p = otp.spawn(function() otp.receive(); otp.exit(otp.self(), "kill") end)
  local t = otp.spawn(peer, main, p, true)
  expect.receive({"ready", t})
  local pref = otp.monitor(p)
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", pref})[5], "killed")
  expect.eq(expect.receive({"got", t})[3], {"EXIT", p, "killed"})
  otp.exit(t, "kill")
end
