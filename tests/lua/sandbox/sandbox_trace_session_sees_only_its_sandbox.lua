-- otp.trace.start{sandbox = name} records the events of that sandbox's
-- processes only: while host processes and a second sandbox play the same
-- ping-pong at the same time, the session holds every spawn/send/receive/
-- exit of sandbox A's pair and nothing of the others. A node-wide session
-- sees the sandbox_create / sandbox_destroy events, each with the name.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()
local ROUNDS = 20

local lifecycle = otp.trace.start{kinds = {"sandbox_create", "sandbox_destroy"}}
expect.eq(sandbox.create("sbx_trace_a", {}), true)
expect.eq(sandbox.create("sbx_trace_b", {}), true)
local session = otp.trace.start{sandbox = "sbx_trace_a",
                                kinds = {"spawn", "send", "receive", "exit"}}

-- A ping-pong pair; the pinger reports {"done", tag, pinger, ponger}.
-- (a closure over its parameters, so that spawn needs no arguments)
local function pair(host, tag, rounds)
  return function()
    local ponger = otp.spawn(function()
      for _ = 1, rounds do
        local m = otp.receive()
        otp.send(m[1], {"pong", m[2]})
      end
    end)
    for i = 1, rounds do
      otp.send(ponger, {otp.self(), i})
      otp.receive({"pong", i})
    end
    otp.send(host, {"done", tag, otp.self(), ponger})
  end
end

local pa, ra = otp.spawn_opt(pair(me, "a", ROUNDS), {sandbox = "sbx_trace_a", monitor = true})
local pb = otp.spawn_opt(pair(me, "b", ROUNDS), {sandbox = "sbx_trace_b"})
local ph = otp.spawn(pair(me, "host", ROUNDS))

local a_pids = {[pa] = true}
for _ = 1, 3 do
  local m = expect.receive({"done"}, 2000)
  if m[2] == "a" then
    expect.eq(m[3], pa)
    a_pids[m[4]] = true
  end
end
expect.receive({"DOWN", ra})          -- the pinger's exit is recorded by now
session:stop()

local events = session:events()
local counts = {}
for _, e in ipairs(events) do
  expect.truthy(a_pids[e.pid], "an event of a process outside sandbox A: " ..
                e.kind .. " by " .. tostring(e.pid))
  counts[e.kind] = (counts[e.kind] or 0) + 1
end
-- A's pair: 2 spawns (the pinger from the host, the ponger), 2 * ROUNDS
-- sends between them plus the report to the host, 2 * ROUNDS receives, and
-- at least the pinger's exit.
expect.eq(counts.spawn, 2)
expect.eq(counts.send, 2 * ROUNDS + 1)
expect.eq(counts.receive, 2 * ROUNDS)
expect.truthy((counts.exit or 0) >= 1)

expect.eq(sandbox.destroy("sbx_trace_a"), true)
expect.eq(sandbox.destroy("sbx_trace_b"), true)
lifecycle:stop()
local life = {}
for _, e in ipairs(lifecycle:events()) do life[#life + 1] = {e.kind, e.name} end
expect.eq(life, {
  {"sandbox_create", "sbx_trace_a"}, {"sandbox_create", "sbx_trace_b"},
  {"sandbox_destroy", "sbx_trace_a"}, {"sandbox_destroy", "sbx_trace_b"},
})
expect.dead(pb)
expect.dead(ph)
