-- C13: when a supervisor terminates (its parent's exit here), it stops its
-- children ONE AT A TIME, newest first, each with reason "shutdown" and per
-- its shutdown spec, then exits with its own reason. A child that needs
-- 400 ms (shutdown "infinity"), then one that would need longer than its
-- 300 ms (killed at 300 ms): about 700 ms in all, not 400. Non-trapping
-- children die at once. The sleeps are the scenario: slow children.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
otp.trap_exit(true)

-- A trapping child that needs `ms` to stop after its exit signal.
local function slow(name, ms)
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stopping", name, m[3]})
    otp.sleep(ms)
    otp.exit(m[3])
  end)
end

local function plain(name)
  return otp.spawn_link(function()
    otp.send(me, {"init", name})
    otp.receive({"never"})
  end)
end

local sup = assert(supervisor.start_link{children = {
  {id = "plain", start = {plain, "plain"}},
  {id = "timeout300", start = {slow, "timeout300", 1000}, shutdown = 300},
  {id = "infinity400", start = {slow, "infinity400", 400}, shutdown = "infinity"},
}})
for _, n in ipairs({"plain", "timeout300", "infinity400"}) do expect.receive({"init", n}) end

local trace = otp.trace.start{kinds = {"sup_terminate_child"}, to = me}
local t0 = otp.monotonic_time()
otp.exit(sup, {"shutdown", "bye"})        -- from the parent: trapped, shuts down
local events = {}
for i = 1, 6 do
  local m = expect.receive(nil, 2000)
  if m[1] == "trace" then m = {m[2].kind, m[2].id, m[2].reason} end
  events[i] = m
end
local ms = otp.monotonic_time() - t0
trace:stop()
expect.eq(events, {
  {"stopping", "infinity400", "shutdown"},
  {"sup_terminate_child", "infinity400", "shutdown"},
  {"stopping", "timeout300", "shutdown"},
  {"sup_terminate_child", "timeout300", "killed"},
  {"sup_terminate_child", "plain", "shutdown"},
  {"EXIT", sup, {"shutdown", "bye"}},
})
expect.truthy(ms >= 600 and ms <= 1500, "sequential shutdown takes about 700 ms, took " .. ms)
expect.no_message(nil, 0)
