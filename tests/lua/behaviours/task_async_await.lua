-- task.async runs fn in a process linked to and monitored by the caller;
-- task.await returns its results and leaves nothing behind (no DOWN, no
-- monitor, no link once the task ended normally). task.start runs fn in an
-- unlinked process. Only the owner may await.
local expect = require "otp.expect"
local task = otp.task
local main = otp.self()

-- 1. results, all of them
do
  local t = task.async(function(a, b)
    otp.send(main, "running")
    otp.receive("finish")
    return a + b, "sum", nil, "last"
  end, 1, 2)
  expect.receive("running")
  expect.eq(otp.process_info(main, "links"), {t.pid})
  expect.eq(otp.process_info(t.pid, "monitored_by"), {main})
  otp.send(t.pid, "finish")
  expect.eq(table.pack(task.await(t)), {3, "sum", nil, "last", n = 4})
  expect.eq(otp.process_info(main, "monitors"), {})
  expect.eq(otp.process_info(main, "messages"), {})
end

-- 2. several tasks, awaited in any order; each gets its own arguments
do
  local tasks = {}
  for i = 1, 5 do tasks[i] = task.async(function(n) otp.sleep(5 * (6 - n)); return n * n end, i) end
  local results = {}
  for i = 5, 1, -1 do results[i] = task.await(tasks[i]) end
  expect.eq(results, {1, 4, 9, 16, 25})
  expect.eq(otp.process_info(main, "messages"), {})
end

-- 3. a task's upvalues are copied: it cannot change the caller's
do
  local counter = 10
  local t = task.async(function() counter = counter + 1; return counter end)
  expect.eq(task.await(t), 11)
  expect.eq(counter, 10)
end

-- 4. only the owner may await
do
  local t = task.async(function() return "mine" end)
  local other, ref = otp.spawn_monitor(function(tk) task.await(tk) end, t)
  local down = expect.receive({"DOWN", ref})
  expect.truthy(type(down[5][2]) == "string" and down[5][2]:find("^badarg:"), expect.format(down))
  expect.eq(task.await(t), "mine")
  expect.eq(other ~= nil, true)
end

-- 5. task.start: not linked, not monitored, runs fn(...)
do
  local pid = task.start(function(boss, x) otp.send(boss, {"started", x}) end, main, "x")
  expect.eq(expect.receive({"started"}), {"started", "x"})
  expect.eq(otp.process_info(main, "links"), {})
  expect.eq(otp.process_info(main, "monitors"), {})
  expect.truthy(pid)
end

expect.error(function() task.async("not a function") end, "badarg")
expect.error(function() task.await({}) end, "badarg")
