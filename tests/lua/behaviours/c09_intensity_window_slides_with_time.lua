-- C9: restarts are counted within the last `period` seconds (whole
-- monotonic seconds, as OTP's erlang:monotonic_time(second)): restarts
-- older than that no longer count. With intensity 1, period 1, two crashes
-- in a row shut the supervisor down, but two crashes 2 s apart do not.
-- The 2.1 s sleep IS the scenario: time passing.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
otp.trap_exit(true)

local function start()
  local pid = otp.spawn_link(function()
    otp.send(me, {"init", otp.self()})
    local m = otp.receive({"die"})
    otp.exit(m[2])
  end)
  return pid
end

local sup = assert(supervisor.start_link{intensity = 1, period = 1, children = {
  {id = "a", start = {start}},
}})
local a = expect.receive({"init"})[2]
otp.send(a, {"die", "boom"})
a = expect.receive({"init"})[2]               -- restart 1 of 1
otp.sleep(2100)                               -- the window slides past it
otp.send(a, {"die", "boom"})
a = expect.receive({"init"})[2]               -- counted alone: allowed
expect.alive(sup)
otp.send(a, {"die", "boom"})                  -- two within a second: too many
expect.eq(expect.receive({"EXIT", sup}), {"EXIT", sup, "shutdown"})
expect.no_message(nil, 0)
