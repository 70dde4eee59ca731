-- A crashing task: through the link, an owner that does not trap exits
-- dies with the task's reason (Elixir's Task.async); a trapping owner gets
-- the exit from await: {reason, {"task", "await", {task, timeout}}}.
local expect = require "otp.expect"
local task = otp.task
local main = otp.self()

-- not trapping: the owner dies with the task's reason
do
  local owner, oref = otp.spawn_monitor(function()
    local t = task.async(function() error("task failed") end)
    task.await(t)
    otp.send(main, "await returned")          -- never happens
  end)
  local down = expect.receive({"DOWN", oref})
  expect.eq(down, {"DOWN", oref, "process", owner, {"error", otp._, otp._}})
  expect.truthy(down[5][2]:find("task failed", 1, true), expect.format(down))
  expect.no_message("await returned", 0)
end

-- an exit reason is kept as it is
do
  local owner, oref = otp.spawn_monitor(function()
    task.await(task.async(function() otp.exit({"shutdown", "tired"}) end))
  end)
  expect.eq(expect.receive({"DOWN", oref})[5], {"shutdown", "tired"})
end

-- trapping: await exits with the reason; the EXIT message is there too
do
  otp.trap_exit(true)
  local t = task.async(function() otp.exit("boom") end)
  local ok, e = pcall(task.await, t, 1000)
  expect.eq({ok, e}, {false, {"EXIT", {"boom", {"task", "await", {t, 1000}}}}})
  expect.eq(expect.receive({"EXIT", t.pid}), {"EXIT", t.pid, "boom"})
  otp.trap_exit(false)
end

-- a task that ends normally after its result: nothing is left behind
do
  local t = task.async(function() return "fine" end)
  expect.eq(task.await(t), "fine")
  local ref = otp.monitor(t.pid)                  -- wait for its end
  local reason = expect.receive({"DOWN", ref})[5]
  expect.truthy(reason == "normal" or reason == "noproc", expect.format(reason))
  expect.eq(otp.process_info(main, "links"), {})
  expect.no_message(nil, 0)
end
