-- task.await(task, timeout): no result in time -> the caller exits
-- {"timeout", {"task", "await", {task, timeout}}} (Elixir's Task.await); the
-- task is still linked, so an uncaught timeout takes it down too.
local expect = require "otp.expect"
local task = otp.task
local main = otp.self()

-- caught: the task keeps running, a later await gets the result
do
  local t = task.async(function() otp.sleep(60); return "late" end)
  local ok, e = pcall(task.await, t, 10)
  expect.eq({ok, e}, {false, {"EXIT", {"timeout", {"task", "await", {t, 10}}}}})
  expect.alive(t.pid)
  expect.eq(task.await(t, 1000), "late")
  expect.eq(otp.process_info(main, "messages"), {})
end

-- uncaught: the owner exits with the timeout reason; the link then ends
-- the task with the same reason
do
  local owner, oref = otp.spawn_monitor(function(boss)
    local t = task.async(function() otp.receive(function() return false end) end)
    otp.send(boss, {"task", t.pid})
    task.await(t, 20)
  end, main)
  local pid = expect.receive({"task"})[2]
  local tref = otp.monitor(pid)
  local down = expect.receive({"DOWN", oref})
  expect.eq(down, {"DOWN", oref, "process", owner,
                   {"timeout", {"task", "await", {{pid = pid, ref = otp._, owner = owner}, 20}}}})
  expect.eq(expect.receive({"DOWN", tref}), {"DOWN", tref, "process", pid, down[5]})
end

-- the default timeout is 5000 ms (it is in the reason)
do
  local t = task.async(function() return 1 end)
  expect.eq(task.await(t), 1)
end
