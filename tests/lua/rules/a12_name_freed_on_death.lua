-- A12: a name is freed when its process dies: whereis -> undefined (nil),
-- registered() no longer lists it, and the name can be taken again.
local expect = require "otp.expect"
local main = otp.self()

local function listed(name)
  for _, n in ipairs(otp.registered()) do if n == name then return true end end
  return false
end

-- For every way of dying, wait on the DOWN first, then look.
local enders = {
  function() otp.receive() end,                                  -- returns
  function() otp.receive(); otp.exit("boom") end,                -- exit(R)
  function() otp.receive(); error("crash", 0) end,               -- error
}
otp.log_level("none")
for i, fn in ipairs(enders) do
  local p, ref = otp.spawn_monitor(fn)
  expect.eq(otp.register("svc", p), true)
  expect.truthy(listed("svc"))
  otp.send("svc", "go")
  expect.receive({"DOWN", ref})
  expect.eq(otp.whereis("svc"), nil, "case " .. i)
  expect.truthy(not listed("svc"), "registered() no longer lists svc")
end

-- Killed by exit/2 "kill".
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  otp.register("svc", p)
  otp.exit(p, "kill")
  expect.receive({"DOWN", ref})
  expect.eq(otp.whereis("svc"), nil)
end

-- The freed name can be registered again, by a new process.
do
  local p = otp.spawn(function() otp.receive() end)
  expect.eq(otp.register("svc", p), true)
  expect.eq(otp.whereis("svc"), p)
  otp.exit(p, "kill")
end

-- spawn_opt{name=} registers atomically, and the name goes with the process.
do
  local p, ref = otp.spawn_opt(function() otp.receive() end, {name = "atomic", monitor = true})
  expect.eq(otp.whereis("atomic"), p)
  expect.eq(otp.process_info(p, "registered_name"), "atomic")
  otp.send("atomic", "stop")
  expect.eq(expect.receive({"DOWN", ref})[5], "normal")
  expect.eq(otp.whereis("atomic"), nil)
end
