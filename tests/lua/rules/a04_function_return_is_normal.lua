-- A4: a process whose function returns exits with reason `normal`.
local expect = require "otp.expect"
local main = otp.self()

-- 1. Returning (with or without values) is reason "normal" for monitors.
do
  local p, ref = otp.spawn_monitor(function() end)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "normal"})
  local q, qref = otp.spawn_monitor(function() return "some", "values" end)
  expect.eq(expect.receive({"DOWN", qref}), {"DOWN", qref, "process", q, "normal"})
end

-- 2. ... and for links: a trapping linked process gets {"EXIT", P, "normal"}.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(function(boss)
    otp.send(boss, {"done", otp.self()})
    return 1
  end, main)
  expect.receive({"done", p})
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, "normal"})
  otp.trap_exit(false)
end

-- 3. An exit caught by pcall does not end the process: it returns normally.
do
  local p, ref = otp.spawn_monitor(function(boss)
    local ok, e = pcall(otp.exit, "caught")
    otp.send(boss, {"caught", ok, e[1], e[2]})
    local ok2, e2 = pcall(error, "also caught", 0)
    otp.send(boss, {"caught", ok2, e2})
  end, main)
  expect.eq(expect.receive({"caught"}), {"caught", false, "EXIT", "caught"})
  expect.eq(expect.receive({"caught"}), {"caught", false, "also caught"})
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "normal"})
end

-- 4. expect.exit_reason agrees.
do
  local p = otp.spawn(function() otp.receive() end)
  otp.send(p, "go")
  expect.exit_reason(p, "normal")
end
