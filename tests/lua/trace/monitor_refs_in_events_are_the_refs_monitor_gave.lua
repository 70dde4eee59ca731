-- Proves: the ref of a monitor, its DOWN and its demonitor event is the
-- very value otp.monitor / spawn_monitor returned (rawequal), whether the
-- session was already recording when the monitor was made or started only
-- afterwards; and a DOWN's ref is the monitor's ref, traced or not.
local expect = require "otp.expect"

-- the run's ring records every monitor and DOWN from the start: stopped, so
-- that the monitors below are made while no session records them
local ring = otp.trace._run_ring()
if ring then ring:stop() end

local function waiter()
  otp.receive(otp.match{"go"})
end

-- recording from the start: monitor, then down
local s = otp.trace.start{kinds = {"monitor", "down"}}
local pid, ref = otp.spawn_monitor(waiter)
otp.send(pid, {"go"})
local down = otp.receive(otp.match{"DOWN", ref, "process", pid, otp._}, 5000)
expect.eq(rawequal(down[2], ref), true, "the DOWN carries the monitor's ref")
s:stop()
local evs = s:events()
expect.eq(#evs, 2, "a monitor and a down event")
expect.eq(evs[1].kind, "monitor", "the monitor first")
expect.eq(rawequal(evs[1].ref, ref), true, "the monitor event's ref is the ref")
expect.eq(evs[2].kind, "down", "then the down")
expect.eq(rawequal(evs[2].ref, ref), true, "the down event's ref is the ref")

-- read while the monitor is still active
local s4 = otp.trace.start{kinds = {"monitor"}}
local pid4 = otp.spawn(waiter)
local ref4 = otp.monitor(pid4)
local evs4 = s4:events()
expect.eq(#evs4, 1, "one monitor event")
expect.eq(rawequal(evs4[1].ref, ref4), true, "an active monitor's event names its ref")
s4:stop()
otp.send(pid4, {"go"})
otp.receive(otp.match{"DOWN", ref4, otp._, otp._, otp._}, 5000)

-- the session starts after the monitor was made
local pid2, ref2 = otp.spawn_monitor(waiter)
local s2 = otp.trace.start{kinds = {"down"}}
otp.send(pid2, {"go"})
otp.receive(otp.match{"DOWN", ref2, otp._, otp._, otp._}, 5000)
s2:stop()
local evs2 = s2:events()
expect.eq(#evs2, 1, "one down event")
expect.eq(rawequal(evs2[1].ref, ref2), true, "a later session's down names the same ref")

-- demonitor, recorded by a session started after otp.monitor
local pid3 = otp.spawn(waiter)
local ref3 = otp.monitor(pid3)
local s3 = otp.trace.start{kinds = {"demonitor"}}
otp.demonitor(ref3)
s3:stop()
local evs3 = s3:events()
expect.eq(#evs3, 1, "one demonitor event")
expect.eq(rawequal(evs3[1].ref, ref3), true, "the demonitor event's ref is the ref")
otp.send(pid3, {"go"})

-- untraced: many monitors, each DOWN with its own ref
for _ = 1, 200 do
  local p, r = otp.spawn_monitor(function() end)
  local d = otp.receive(otp.match{"DOWN", r, otp._, otp._, otp._}, 5000)
  expect.eq(rawequal(d[2], r) and rawequal(d[4], p), true, "each DOWN names its ref and pid")
  expect.eq(d[5], "normal", "a returned function exits normal")
end
