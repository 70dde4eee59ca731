-- A process stuck in `while true do end` inside a sandbox without limits is
-- preempted like any process: two host processes complete 200 ping-pong
-- round trips meanwhile, and the looper is still alive (and has kept
-- running: its reductions grow) afterwards. Destroy kills it.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()

expect.eq(sandbox.create("sbx_spin", {}), true)
local looper = sandbox.spawn("sbx_spin", function(host)
  otp.send(host, {"looping", otp.self()})
  while true do end
end, me)
expect.eq(expect.receive({"looping"}), {"looping", looper})

local ponger = otp.spawn(function()
  while true do
    local m = otp.receive()
    if m[1] == "stop" then return end
    otp.send(m[2], {"pong", m[3]})
  end
end)
local pinger = otp.spawn(function(host)
  for i = 1, 200 do
    otp.send(ponger, {"ping", otp.self(), i})
    local m = otp.receive({"pong"})
    if m[2] ~= i then otp.send(host, {"bad_pong", i, m[2]}) return end
  end
  otp.send(host, {"done", 200})
end, me)

expect.eq(expect.receive(function(m) return m[1] == "done" or m[1] == "bad_pong" end, 5000),
          {"done", 200}, "the host ping-pong completes while the sandbox loops")
otp.send(ponger, {"stop"})

expect.alive(looper, "the looper was preempted, not stopped")
expect.eq(otp.process_info(looper, "sandbox"), "sbx_spin")
local r1 = otp.process_info(looper, "reductions")
expect.eventually(function() return otp.process_info(looper, "reductions") > r1 end,
                  2000, "the looper keeps being scheduled")

local ref = otp.monitor(looper)
expect.eq(sandbox.destroy("sbx_spin"), true)
local down = expect.receive({"DOWN", ref})
expect.truthy(down[5] == "killed" or down[5] == "shutdown", "the looper dies with the sandbox")
expect.dead(looper)
expect.dead(pinger)
