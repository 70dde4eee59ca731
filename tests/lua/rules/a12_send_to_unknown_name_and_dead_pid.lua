-- A12: Name ! M with an unknown name -> badarg; Pid ! M to a dead pid
-- succeeds silently (and returns the message).
local expect = require "otp.expect"
local main = otp.self()

-- 1. An unknown name: a badarg error, nothing delivered anywhere.
expect.error(function() otp.send("nobody", "hello") end, "badarg")
expect.no_message(nil, 0)

-- 2. A name freed by its process's death: badarg again.
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  otp.register("gone", p)
  expect.eq(otp.send("gone", "first"), "first", "to a live name send returns the message")
  expect.receive({"DOWN", ref})
  expect.error(function() otp.send("gone", "second") end, "badarg")
end

-- 3. A dead pid: returns the message itself, raises nothing, delivers nothing.
do
  local p, ref = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", ref})
  local msg = {"hello", {nested = true}}
  local ok, ret = pcall(otp.send, p, msg)
  expect.eq(ok, true, "send to a dead pid does not fail")
  expect.truthy(rawequal(ret, msg), "send returns its message argument")
  expect.eq(otp.send(p, 42), 42)
  expect.eq(otp.send(p, "text"), "text")
  expect.dead(p)
  expect.no_message(nil, 0)
  expect.alive(main)
end

-- 4. A name registered to a live process delivers to it.
do
  local p = otp.spawn(function(boss) otp.send(boss, {"echo", otp.receive()}) end, main)
  otp.register("echoer", p)
  otp.send("echoer", "via name")
  expect.eq(expect.receive({"echo"}), {"echo", "via name"})
end

-- 5. {Name, Node} never raises, even for a name nobody has (Erlang's send/2).
do
  local ok = pcall(otp.send, {"nobody", otp.node()}, "x")
  expect.eq(ok, true)
  local p = otp.spawn(function(boss) otp.send(boss, {"echo", otp.receive()}) end, main)
  otp.register("echoer2", p)
  otp.send({"echoer2", otp.node()}, "via {name, node}")
  expect.eq(expect.receive({"echo"}), {"echo", "via {name, node}"})
end
