-- Dynamic supervisor (C13): when it shuts down, every child gets its exit
-- signal AT ONCE and one timer per shutdown value kills those still alive:
-- four children that each need 300 ms to stop are done in about 300 ms (a
-- static supervisor would take 1200 ms), and a child that ignores the
-- signal is killed when its 200 ms are up. The sleeps are the scenario.
local expect = require "otp.expect"
local ds = otp.dynamic_supervisor
local me = otp.self()
otp.trap_exit(true)

local function slow(name, ms)
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stopping", name, m[3]})
    if ms then otp.sleep(ms) else otp.receive({"never"}) end
    otp.exit(m[3])
  end)
end

local sup = assert(ds.start_link{})
local pids = {}
for i = 1, 4 do
  pids[i] = assert(ds.start_child(sup, {start = {slow, i, 300}, shutdown = 1000}))
  expect.receive({"init", i})
end
pids[5] = assert(ds.start_child(sup, {start = {slow, 5}, shutdown = 200}))
expect.receive({"init", 5})

local trace = otp.trace.start{kinds = {"sup_terminate_child"}, to = me}
local t0 = otp.monotonic_time()
otp.exit(sup, "shutdown")
local stopping, ended = {}, {}
for _ = 1, 11 do
  local m = expect.receive(nil, 2000)
  if m[1] == "stopping" then stopping[#stopping + 1] = m[2]
  elseif m[1] == "trace" then ended[m[2].child] = m[2].reason
  else expect.eq(m, {"EXIT", sup, "shutdown"}) end
end
local ms = otp.monotonic_time() - t0
trace:stop()
table.sort(stopping)
expect.eq(stopping, {1, 2, 3, 4, 5}, "all signalled before any finished")
expect.eq(ended, {[pids[1]] = "shutdown", [pids[2]] = "shutdown", [pids[3]] = "shutdown",
                  [pids[4]] = "shutdown", [pids[5]] = "killed"})
expect.truthy(ms >= 250 and ms <= 900, "parallel shutdown takes about 300 ms, took " .. ms)
expect.no_message(nil, 0)
