-- process_info (API.md section 2): status, links, monitors, monitored_by,
-- trap_exit, registered_name, message_queue_len, messages (copies),
-- memory, reductions, initial_call, current_location, parent, ancestors, label.
local expect = require "otp.expect"
local main = otp.self()
local SRC = debug.getinfo(1, "S").short_src

local function is_waiting(pid)
  return function() return otp.process_info(pid, "status") == "waiting" end
end

-- status: "running" for the caller itself, "runnable" for a process that
-- was spawned but has not run yet, "waiting" in a receive (and in sleep).
do
  expect.eq(otp.process_info(main, "status"), "running")
  -- the child works longer than a slice before and after its receive, so
  -- that if this process is preempted between two lines the child is still
  -- runnable (preempted mid-work), not already waiting or gone
  local function work() local x = 0 for i = 1, 2e6 do x = x + i end return x end
  local p = otp.spawn(function() work() otp.receive() work() end)
  expect.eq(otp.process_info(p, "status"), "runnable", "spawned, not yet scheduled")
  expect.eventually(is_waiting(p), 5000)
  otp.send(p, "wake")
  expect.eq(otp.process_info(p, "status"), "runnable", "a message made it runnable")
  expect.exit_reason(p, "normal")
  local s = otp.spawn(function() otp.sleep(60000) end)
  expect.eventually(is_waiting(s), 1000, "a sleeping process is waiting")
  otp.exit(s, "kill")
end

-- links, monitors, monitored_by, trap_exit, registered_name, parent,
-- ancestors, initial_call.
do
  local line = debug.getinfo(1, "l").currentline + 1
  local p = otp.spawn_link(function(boss)
    local q = otp.spawn(function() otp.receive() end)   -- a grandchild
    otp.send(boss, {"child", q})
    otp.receive()
  end, main)
  local q = expect.receive({"child"})[2]
  expect.eq(otp.process_info(p, "links"), {main})
  expect.eq(otp.process_info(main, "links"), {p})
  expect.eq(otp.process_info(q, "links"), {})
  expect.eq(otp.process_info(p, "parent"), main)
  expect.eq(otp.process_info(q, "parent"), p)
  expect.eq(otp.process_info(p, "ancestors")[1], main)
  expect.eq(otp.process_info(q, "ancestors")[1], p)
  expect.eq(otp.process_info(q, "ancestors")[2], main)
  expect.eq(otp.process_info(p, "initial_call"), SRC .. ":" .. line)

  local r1 = otp.monitor(p)
  otp.register("named_q", q)
  local r2 = otp.monitor("named_q")
  expect.eq(otp.process_info(main, "monitors"),
            {{"process", {"named_q", "nonode@nohost"}}, {"process", p}})
  expect.eq(otp.process_info(p, "monitored_by"), {main})
  expect.eq(otp.process_info(q, "monitored_by"), {main})
  expect.eq(otp.process_info(main, "monitored_by"), {})
  otp.demonitor(r1); otp.demonitor(r2)
  expect.eq(otp.process_info(main, "monitors"), {})
  expect.eq(otp.process_info(p, "monitored_by"), {})

  expect.eq(otp.process_info(q, "registered_name"), "named_q")
  expect.eq(otp.process_info(p, "registered_name"), nil)

  expect.eq(otp.process_info(main, "trap_exit"), false)
  expect.eq(otp.trap_exit(true), false, "trap_exit returns the old value")
  expect.eq(otp.process_info(main, "trap_exit"), true)
  expect.eq(otp.trap_exit(false), true)
  expect.eq(otp.process_info(main, "trap_exit"), false)

  otp.unlink(p)
  otp.exit(q, "kill"); otp.exit(p, "kill")
end

-- message_queue_len and messages: the queue in arrival order, as copies.
do
  otp.send(main, {"m", {x = 1}})
  otp.send(main, "second")
  otp.send(main, 3)
  expect.eq(otp.process_info(main, "message_queue_len"), 3)
  local msgs = otp.process_info(main, "messages")
  expect.eq(msgs, {{"m", {x = 1}}, "second", 3})
  msgs[1][2].x = 99                     -- mutate the copy
  msgs[2] = "changed"
  expect.eq(otp.process_info(main, "messages"), {{"m", {x = 1}}, "second", 3})
  expect.eq(otp.receive(nil, 0), {"m", {x = 1}}, "the queued message was not touched")
  expect.eq(otp.process_info(main, "message_queue_len"), 2)
  otp.receive(nil, 0); otp.receive(nil, 0)
  expect.eq(otp.process_info(main, "message_queue_len"), 0)
  expect.eq(otp.process_info(main, "messages"), {})
end

-- memory (bytes, > 0) and reductions (an integer count).
do
  local mem = otp.process_info(main, "memory")
  expect.eq(math.type(mem), "integer")
  expect.truthy(mem > 0, "memory > 0, got " .. tostring(mem))
  local red = otp.process_info(main, "reductions")
  expect.eq(math.type(red), "integer")
  expect.truthy(red >= 0)
end

-- current_location: "source:line" where the process is waiting, and where
-- the caller is running.
do
  local p = otp.spawn(function(boss)
    otp.send(boss, {"line", debug.getinfo(1, "l").currentline}); otp.receive()
  end, main)
  local line = expect.receive({"line"})[2]
  expect.eventually(is_waiting(p))
  expect.eq(otp.process_info(p, "current_location"), SRC .. ":" .. line)
  local here = debug.getinfo(1, "l").currentline; local loc = otp.process_info(main, "current_location")
  expect.eq(loc, SRC .. ":" .. here)
  otp.exit(p, "kill")
end

-- label: set by the process itself with set_label.
do
  local p = otp.spawn(function(boss)
    otp.receive("go")                  -- so the first look comes before set_label
    otp.set_label("the worker")
    otp.send(boss, "labelled")
    otp.receive()
  end, main)
  expect.eq(otp.process_info(p, "label"), nil, "no label before set_label")
  otp.send(p, "go")
  expect.receive("labelled")
  expect.eq(otp.process_info(p, "label"), "the worker")
  expect.eq(otp.process_info(p).label, "the worker")
  otp.exit(p, "kill")
end

-- The whole table holds every key listed in API.md.
do
  local info = otp.process_info(main)
  for _, k in ipairs({"status", "message_queue_len", "messages", "links", "monitors",
                      "monitored_by", "trap_exit", "reductions", "memory",
                      "initial_call", "current_location", "ancestors"}) do
    expect.truthy(info[k] ~= nil, "process_info(pid) has key " .. k)
  end
  expect.eq(info.status, "running")
end

-- A dead process: nil, with or without a key; an unknown key is badarg.
do
  local p, ref = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", ref})
  expect.eq(otp.process_info(p), nil)
  expect.eq(otp.process_info(p, "status"), nil)
  expect.error(function() otp.process_info(main, "no_such_key") end, "badarg")
end
