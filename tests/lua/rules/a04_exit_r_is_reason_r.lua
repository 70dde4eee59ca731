-- A4: a process that calls exit(R) (otp.exit(R)) exits with reason R.
local expect = require "otp.expect"
local main = otp.self()

-- 1. Any value is a reason, and it arrives intact (a copy) in DOWN and EXIT.
local reasons = {"boom", "normal", "shutdown", {"shutdown", {detail = "x", n = 3}},
                 42, 2.5, true, {1, {2, {3}}}}
otp.trap_exit(true)
for _, r in ipairs(reasons) do
  -- linked and monitored in one step: a preemption between spawn_link and
  -- monitor could let the child exit first (a DOWN with noproc)
  local p, ref = otp.spawn_opt(function(reason) otp.exit(reason) end,
                               {link = true, monitor = true}, r)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, r})
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, r})
end
otp.trap_exit(false)

-- 2. Code after otp.exit never runs.
do
  local p, ref = otp.spawn_monitor(function(boss)
    otp.exit("stop here")
    otp.send(boss, "after exit")
  end, main)
  expect.eq(expect.receive({"DOWN", ref})[5], "stop here")
  expect.no_message("after exit", 0)
end

-- 3. From a nested call, and from inside a coroutine the process runs.
do
  local p, ref = otp.spawn_monitor(function()
    local function deep(n) if n == 0 then otp.exit({"deep", n}) end deep(n - 1) end
    deep(10)
  end)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, {"deep", 0}})
  local q, qref = otp.spawn_monitor(function()
    local co = coroutine.wrap(function() otp.exit("from a coroutine") end)
    co()
  end)
  expect.eq(expect.receive({"DOWN", qref}), {"DOWN", qref, "process", q, "from a coroutine"})
end

-- 4. expect.exit_reason agrees.
do
  local p = otp.spawn(function() otp.receive(); otp.exit({"bye", 1}) end)
  otp.send(p, "go")
  expect.exit_reason(p, {"bye", 1})
end
