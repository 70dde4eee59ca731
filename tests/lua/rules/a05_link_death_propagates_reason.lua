-- A5: on death with reason R every linked process gets an exit signal R:
-- normal is ignored by non-trapping peers; any other R kills non-trapping
-- peers with the same R; trapping peers get {'EXIT', Pid, R}.
local expect = require "otp.expect"
local main = otp.self()

-- A peer: links to `target`, traps if asked, says ready, then forwards
-- every message to boss and answers pings.
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

-- The dying process: waits for {"die", how, reason}, then ends that way.
local function victim()
  local m = otp.receive()
  if m[2] == "return" then return end
  if m[2] == "exit" then otp.exit(m[3]) end
  error(m[3], 0)
end

-- Starts a victim with a trapping and a non-trapping peer, all monitored.
local function setup()
  local p = otp.spawn(victim)
  local t = otp.spawn(peer, main, p, true)
  local n = otp.spawn(peer, main, p, false)
  expect.receive({"ready", t})
  expect.receive({"ready", n})
  expect.eq(#otp.process_info(p, "links"), 2)
  return p, t, n, otp.monitor(p), otp.monitor(t), otp.monitor(n)
end

local function ping(pid)
  otp.send(pid, {"ping", main})
  expect.receive({"pong", pid})
end

otp.log_level("none")

-- 1. R = normal (the function returned): the trapping peer gets
-- {"EXIT", P, "normal"}; the non-trapping peer ignores it and lives.
do
  local p, t, n, pref, tref, nref = setup()
  otp.send(p, {"die", "return"})
  expect.eq(expect.receive({"DOWN", pref})[5], "normal")
  expect.eq(expect.receive({"got", t})[3], {"EXIT", p, "normal"})
  ping(n); ping(t)
  expect.alive(n); expect.alive(t)
  expect.no_message({"DOWN", nref}, 0)
  expect.no_message({"got", n}, 0, "the non-trapping peer got no message")
  expect.eq(otp.process_info(n, "links"), {}, "the link is gone with P")
  expect.eq(otp.process_info(t, "links"), {})
  otp.exit(t, "kill"); otp.exit(n, "kill")
  expect.receive({"DOWN", tref}); expect.receive({"DOWN", nref})
end

-- 2. R = normal via otp.exit("normal"): same.
do
  local p, t, n, pref, tref, nref = setup()
  otp.send(p, {"die", "exit", "normal"})
  expect.eq(expect.receive({"DOWN", pref})[5], "normal")
  expect.eq(expect.receive({"got", t})[3], {"EXIT", p, "normal"})
  ping(n)
  expect.no_message({"DOWN", nref}, 0)
  otp.exit(t, "kill"); otp.exit(n, "kill")
  expect.receive({"DOWN", tref}); expect.receive({"DOWN", nref})
end

-- 3. Any other R: the non-trapping peer dies with the same R, the trapping
-- one gets {"EXIT", P, R} and lives.
for _, r in ipairs({"boom", "shutdown", {"shutdown", "x"}, "killed", "noproc"}) do
  local p, t, n, pref, tref, nref = setup()
  otp.send(p, {"die", "exit", r})
  expect.eq(expect.receive({"DOWN", pref})[5], r)
  expect.eq(expect.receive({"DOWN", nref}), {"DOWN", nref, "process", n, r})
  expect.eq(expect.receive({"got", t})[3], {"EXIT", p, r})
  ping(t)
  expect.no_message({"DOWN", tref}, 0)
  otp.exit(t, "kill")
  expect.receive({"DOWN", tref})
end

-- 4. A crash: the peers see the same {"error", E, traceback} reason.
do
  local p, t, n, pref, tref, nref = setup()
  otp.send(p, {"die", "error", "crash"})
  local reason = expect.receive({"DOWN", pref})[5]
  expect.eq(reason, {"error", "crash", otp._})
  expect.eq(expect.receive({"DOWN", nref})[5], reason)
  expect.eq(expect.receive({"got", t})[3], {"EXIT", p, reason})
  otp.exit(t, "kill")
  expect.receive({"DOWN", tref})
end

-- 5. Propagation is transitive: P - A - B, all non-trapping: P's R kills A
-- with R, and A's death (reason R) kills B with R.
do
  local p = otp.spawn(victim)
  local a = otp.spawn(peer, main, p, false)
  expect.receive({"ready", a})
  local b = otp.spawn(peer, main, a, false)
  expect.receive({"ready", b})
  local aref, bref = otp.monitor(a), otp.monitor(b)
  otp.send(p, {"die", "exit", "chain"})
  expect.eq(expect.receive({"DOWN", aref})[5], "chain")
  expect.eq(expect.receive({"DOWN", bref})[5], "chain")
end

-- 6. A chain stops at a normal exit: P exits normal, non-trapping A lives,
-- so B (linked to A only) is never signalled.
do
  local p = otp.spawn(victim)
  local a = otp.spawn(peer, main, p, false)
  expect.receive({"ready", a})
  local b = otp.spawn(peer, main, a, true)
  expect.receive({"ready", b})
  local pref = otp.monitor(p)
  otp.send(p, {"die", "return"})
  expect.receive({"DOWN", pref})
  ping(a); ping(b)
  expect.no_message({"got", b}, 0, "B got no EXIT: A did not die")
  otp.exit(a, "kill")
  expect.eq(expect.receive({"got", b})[3], {"EXIT", a, "killed"})
  otp.exit(b, "kill")
end
