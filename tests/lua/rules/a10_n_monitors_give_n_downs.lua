-- A10: N monitors on one process -> N DOWN messages, one per ref.
local expect = require "otp.expect"
local main = otp.self()

-- 1. Main monitors P five times: five distinct refs, five DOWNs, no more.
do
  local p = otp.spawn(function() otp.exit(otp.receive()) end)
  local refs, seen = {}, {}
  for i = 1, 5 do
    refs[i] = otp.monitor(p)
    expect.truthy(not seen[refs[i]], "refs are distinct")
    seen[refs[i]] = true
  end
  expect.eq(#otp.process_info(p, "monitored_by"), 5)
  expect.eq(#otp.process_info(main, "monitors"), 5)
  otp.send(p, "five")
  for i = 1, 5 do
    expect.eq(expect.receive({"DOWN", refs[i]}), {"DOWN", refs[i], "process", p, "five"})
  end
  expect.no_message({"DOWN"}, 0, "exactly five DOWNs")
end

-- 2. A monitor by pid and one by name on the same process: two DOWNs,
-- each naming the target the way it was monitored.
do
  local p = otp.spawn(function() otp.exit(otp.receive()) end)
  otp.register("twice", p)
  local by_pid, by_name = otp.monitor(p), otp.monitor("twice")
  otp.send(p, "bye")
  expect.eq(expect.receive({"DOWN", by_name}),
            {"DOWN", by_name, "process", {"twice", "nonode@nohost"}, "bye"})
  expect.eq(expect.receive({"DOWN", by_pid}), {"DOWN", by_pid, "process", p, "bye"})
  expect.no_message({"DOWN"}, 0)
end

-- 3. Several watchers: each gets its own DOWN.
do
  local p = otp.spawn(function() otp.exit(otp.receive()) end)
  local ws = {}
  for i = 1, 3 do
    ws[i] = otp.spawn(function(target, boss)
      local ref = otp.monitor(target)
      otp.send(boss, {"watching", otp.self()})
      local m = otp.receive()
      otp.send(boss, {"down", otp.self(), m[1], m[2] == ref, m[4], m[5]})
    end, p, main)
    expect.receive({"watching", ws[i]})
  end
  expect.eq(#otp.process_info(p, "monitored_by"), 3)
  otp.send(p, "all")
  for i = 1, 3 do
    expect.eq(expect.receive({"down", ws[i]}), {"down", ws[i], "DOWN", true, p, "all"})
  end
end
