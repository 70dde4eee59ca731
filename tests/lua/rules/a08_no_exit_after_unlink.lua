-- A8: after unlink no EXIT arrives, whichever side unlinks, and a
-- non-trapping former peer is not killed.
local expect = require "otp.expect"
local main = otp.self()

-- 1. Main (trapping) links then unlinks; P dies abnormally: DOWN but no EXIT.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(function() otp.exit(otp.receive()) end)
  expect.eq(otp.unlink(p), true)
  local ref = otp.monitor(p)
  otp.send(p, "boom")
  expect.eq(expect.receive({"DOWN", ref})[5], "boom")
  expect.no_message({"EXIT", p}, 0, "no EXIT after unlink")
  otp.trap_exit(false)
end

-- 2. The other side unlinks: P unlinks main, then dies.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(function(boss)
    otp.unlink(boss)
    otp.send(boss, {"unlinked", otp.self()})
    otp.exit(otp.receive())
  end, main)
  expect.receive({"unlinked", p})
  expect.eq(otp.process_info(main, "links"), {})
  local ref = otp.monitor(p)
  otp.send(p, "boom")
  expect.receive({"DOWN", ref})
  expect.no_message({"EXIT", p}, 0, "no EXIT after the peer unlinked")
  otp.trap_exit(false)
end

-- 3. A non-trapping process that unlinked survives the peer's crash.
do
  local p = otp.spawn(function() otp.exit(otp.receive()) end)
  local n, nref = otp.spawn_monitor(function(target, boss)
    otp.link(target)
    otp.unlink(target)
    otp.send(boss, {"unlinked", otp.self()})
    local m = otp.receive()
    otp.send(m, {"alive", otp.self()})
  end, p, main)
  expect.receive({"unlinked", n})
  local pref = otp.monitor(p)
  otp.send(p, "boom")
  expect.eq(expect.receive({"DOWN", pref})[5], "boom")
  otp.send(n, main)
  expect.receive({"alive", n})
  expect.eq(expect.receive({"DOWN", nref})[5], "normal", "N ended normally, not with boom")
end

-- 4. unlink of a process never linked, or already dead, returns true.
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  expect.eq(otp.unlink(p), true)
  otp.send(p, "bye")
  expect.receive({"DOWN", ref})
  expect.eq(otp.unlink(p), true)
end
