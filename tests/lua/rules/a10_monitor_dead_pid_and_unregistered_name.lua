-- A10: monitor(process, DeadPid) -> an immediate
-- {'DOWN', Ref, process, DeadPid, noproc}; monitor by an unregistered name ->
-- {'DOWN', Ref, process, {Name, Node}, noproc}.
local expect = require "otp.expect"
local main = otp.self()

local dead, r0 = otp.spawn_monitor(function() end)
expect.receive({"DOWN", r0})

-- 1. A dead pid: the DOWN is already queued when monitor returns (poll, 0 ms).
do
  local ref = otp.monitor(dead)
  expect.eq(expect.receive({"DOWN", ref}, 0), {"DOWN", ref, "process", dead, "noproc"})
  expect.no_message({"DOWN", ref}, 0, "exactly one DOWN")
  expect.eq(otp.process_info(main, "monitors"), {}, "nothing left to monitor")
end

-- 2. An unregistered name: {name, node} in place of the pid.
do
  expect.eq(otp.whereis("nobody_here"), nil)
  local ref = otp.monitor("nobody_here")
  expect.eq(expect.receive({"DOWN", ref}, 0),
            {"DOWN", ref, "process", {"nobody_here", "nonode@nohost"}, "noproc"})
  expect.no_message({"DOWN", ref}, 0)
  expect.eq(otp.node(), "nonode@nohost")
end

-- 3. The {name, node} form of the same.
do
  local ref = otp.monitor({"nobody_either", otp.node()})
  expect.eq(expect.receive({"DOWN", ref}, 0),
            {"DOWN", ref, "process", {"nobody_either", "nonode@nohost"}, "noproc"})
end

-- 4. A name whose process has died (the name was freed): noproc by name too.
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  otp.register("short_lived", p)
  otp.send("short_lived", "bye")
  expect.receive({"DOWN", ref})
  local ref2 = otp.monitor("short_lived")
  expect.eq(expect.receive({"DOWN", ref2}, 0),
            {"DOWN", ref2, "process", {"short_lived", "nonode@nohost"}, "noproc"})
end

-- 5. Each call gives a fresh ref, each with its own DOWN.
do
  local a, b = otp.monitor(dead), otp.monitor(dead)
  expect.truthy(a ~= b, "two monitors, two refs")
  expect.eq(expect.receive({"DOWN", b}, 0), {"DOWN", b, "process", dead, "noproc"})
  expect.eq(expect.receive({"DOWN", a}, 0), {"DOWN", a, "process", dead, "noproc"})
end
