-- A sandbox cannot create unbounded timers: send_after/start_timer pending
-- at once are capped (max_timers, 10000 when not given) with a clear
-- "limit:" error, and the count is in otp.sandbox.info (timers) and in the
-- sandbox's own otp.statistics("timers"), which counts only its timers.
-- A cancelled or fired timer frees its place (otp.sleep and receive
-- timeouts use the process's own timer and count for nothing); destroying
-- the sandbox cancels what is left. The option is checked like the other limits.
local expect = otp.expect
local me = otp.self()

expect.eq(otp.sandbox.create("timers5", {max_timers = 5}), true)
local info = otp.sandbox.info("timers5")
expect.eq(info.timers, 0)
expect.eq(info.limits.max_timers, 5)

-- a host timer is not the sandbox's
local host_tref = otp.send_after(600000, me, "never")

local worker = otp.sandbox.spawn("timers5", function(to)
  local trefs = {}
  for i = 1, 5 do trefs[i] = otp.send_after(600000, otp.self(), {"late", i}) end
  local ok, err = pcall(otp.start_timer, 600000, otp.self(), "sixth")
  otp.send(to, {"full", ok, err, otp.statistics("timers")})
  otp.receive({"cancel_one"})
  otp.cancel_timer(trefs[1])
  local sixth = otp.start_timer(600000, otp.self(), "sixth")
  otp.send(to, {"replaced", sixth ~= nil, otp.statistics("timers")})
  otp.receive({"fire_one"})
  otp.cancel_timer(sixth)
  otp.send_after(0, otp.self(), "now")
  otp.receive(function(m) return m == "now" end)
  otp.send(to, {"fired", otp.statistics("timers")})
  otp.receive({"stop"})
end, me)

local full = expect.receive({"full"}, 10000)
expect.eq(full[2], false, "the sixth timer is refused")
expect.eq(full[3], "limit: sandbox 'timers5' allows at most 5 pending timers (max_timers); "
          .. "cancel some with otp.cancel_timer or let them fire first")
expect.eq(full[4], 5, "the sandbox's statistics count its own timers only")
expect.eq(otp.sandbox.info("timers5").timers, 5)
expect.truthy(otp.statistics("timers") >= 6, "the host sees every timer of the node")

otp.send(worker, {"cancel_one"})
expect.eq(expect.receive({"replaced"}, 10000), {"replaced", true, 5})
otp.send(worker, {"fire_one"})
expect.eq(expect.receive({"fired"}, 10000), {"fired", 4}, "a fired timer frees its place")
expect.eq(otp.sandbox.info("timers5").timers, 4)

-- a loop of timers in a sandbox with the default cap stops at it
expect.eq(otp.sandbox.create("timers_default", {}), true)
expect.eq(otp.sandbox.info("timers_default").limits, {}, "limits shows what was given")
local looper, ref = otp.spawn_opt(function()
  while true do otp.send_after(600000, otp.self(), "x") end
end, {sandbox = "timers_default", monitor = true})
local down = expect.receive({"DOWN", ref}, 30000)
expect.eq(down[5][1], "error")
expect.truthy(down[5][2]:find("limit: sandbox 'timers_default' allows at most 10000 pending "
                              .. "timers (max_timers)", 1, true), down[5][2])
expect.dead(looper)
-- its timers went with it (a timer to a dead pid is cancelled)
expect.eventually(function() return otp.sandbox.info("timers_default").timers == 0 end, 5000,
                  "the dead looper's timers are gone")

-- destroying a sandbox cancels its timers
local before = otp.statistics("timers")
expect.eq(otp.sandbox.destroy("timers5"), true)
expect.eq(otp.statistics("timers"), before - 4, "the destroyed sandbox's timers are gone")
expect.truthy(otp.cancel_timer(host_tref), "the host's timer is still there")
otp.sandbox.destroy("timers_default")

-- the option is checked like the other limits
for _, bad in ipairs{0, -1, 1.5, "many", 2^40} do
  local ok, err = pcall(otp.sandbox.create, "timers_bad", {max_timers = bad})
  expect.eq(ok, false, "max_timers = " .. tostring(bad) .. " is refused")
  expect.truthy(tostring(err):find("max_timers", 1, true), tostring(err))
end
