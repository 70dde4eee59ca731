-- A7: exit(self(), normal): a non-trapping process exits with reason
-- normal; a trapping process receives {'EXIT', self(), normal}.
local expect = require "otp.expect"
local main = otp.self()

-- 1. Non-trapping: P exits with "normal" and the code after the call never runs.
do
  local p, ref = otp.spawn_monitor(function(boss)
    otp.receive()
    otp.exit(otp.self(), "normal")
    otp.send(boss, "after exit(self(), normal)")
    otp.receive()
  end, main)
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "normal"})
  expect.no_message("after exit(self(), normal)", 0)
end

-- 2. Non-trapping, linked: the reason is "normal", so a trapping linked
-- process gets {"EXIT", P, "normal"} and a non-trapping one ignores it.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(function() otp.receive(); otp.exit(otp.self(), "normal") end)
  local n, nref = otp.spawn_monitor(function(target, boss)
    otp.link(target)
    otp.send(boss, {"linked", otp.self()})
    local m = otp.receive()
    otp.send(m, {"pong", otp.self()})
    otp.receive()
  end, p, main)
  expect.receive({"linked", n})
  otp.send(p, "go")
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, "normal"})
  otp.send(n, main)
  expect.receive({"pong", n})
  expect.no_message({"DOWN", nref}, 0, "the non-trapping peer ignored normal")
  otp.exit(n, "kill")
  otp.trap_exit(false)
end

-- 3. Trapping: P gets {"EXIT", P, "normal"} (from itself) and carries on.
do
  local p, ref = otp.spawn_monitor(function(boss)
    otp.trap_exit(true)
    otp.exit(otp.self(), "normal")
    local m = otp.receive(nil, 1000)
    otp.send(boss, {"got", m})
    otp.send(boss, {"queue", otp.process_info(otp.self(), "message_queue_len")})
    otp.receive()
  end, main)
  expect.eq(expect.receive({"got"}), {"got", {"EXIT", p, "normal"}})
  expect.eq(expect.receive({"queue"}), {"queue", 0}, "exactly one EXIT message")
  expect.alive(p)
  expect.no_message({"DOWN", ref}, 0)
  otp.send(p, "done")
  expect.eq(expect.receive({"DOWN", ref})[5], "normal")
end

-- 4. Contrast with A1: exit(P, normal) from ANOTHER process to the same
-- non-trapping P is ignored.
do
  local p, ref = otp.spawn_monitor(function(boss)
    local m = otp.receive()
    otp.send(boss, {"still here", otp.self(), m})
  end, main)
  otp.exit(p, "normal")
  otp.send(p, "hello")
  expect.eq(expect.receive({"still here"}), {"still here", p, "hello"})
  expect.eq(expect.receive({"DOWN", ref})[5], "normal")
end
