-- A process inside a sandbox with max_memory that allocates without end is
-- killed with reason {"limit", "max_memory"}: the host's monitor sees it in
-- the DOWN, the tracer records a limit_killed event naming the sandbox and
-- the limit, and info().limit_kills counts it. Destroying the sandbox then
-- gives back all the memory it held: otp.memory("total") returns to its
-- value from before create.
local expect = require "otp.expect"
local sandbox = otp.sandbox
otp.log_level("none")          -- the kill is reported on stderr; keep it quiet

-- Warm-up: a first create/destroy (of another sandbox), a trace session and
-- a monitor load and initialise everything the host needs (library modules,
-- the trace machinery, interned strings), so the baseline below is not
-- skewed by one-off allocations in the host.
expect.eq(sandbox.create("sbx_bomb_warmup", {max_memory = 4 << 20}), true)
local warm = otp.trace.start{sandbox = "sbx_bomb_warmup", kinds = {"limit_killed"}}
local _, wref = otp.spawn_opt(function() end, {sandbox = "sbx_bomb_warmup", monitor = true})
expect.receive({"DOWN", wref})
warm:stop()
expect.eq(sandbox.destroy("sbx_bomb_warmup"), true)
warm = nil
collectgarbage(); collectgarbage()
local baseline = otp.memory("total")

expect.eq(sandbox.create("sbx_bomb", {max_memory = 6 << 20}), true)
expect.truthy(otp.memory("sandboxes").sbx_bomb, "the sandbox's memory is accounted")
local session = otp.trace.start{sandbox = "sbx_bomb", kinds = {"limit_killed"}}

local bomb, ref = otp.spawn_opt(function()
  local hoard, i = {}, 0
  while true do
    i = i + 1
    hoard[i] = string.rep("x", 1000) .. i
  end
end, {sandbox = "sbx_bomb", monitor = true})

local down = expect.receive({"DOWN", ref}, 3000)
expect.eq(down[4], bomb)
expect.eq(down[5], {"limit", "max_memory"})

local kills = session:events(function(e) return e.kind == "limit_killed" end)
expect.eq(#kills, 1, "one limit_killed event")
expect.eq(kills[1].pid, bomb)
expect.eq(kills[1].name, "sbx_bomb")
expect.eq(kills[1].limit, "the sandbox's max_memory")
session:stop()

local info = sandbox.info("sbx_bomb")
expect.eq(info.limit_kills, 1)
expect.eq(info.processes, 0)
expect.truthy(info.memory <= 6 << 20, "the sandbox's memory is within its limit after the kill")

expect.eq(sandbox.destroy("sbx_bomb"), true)
expect.eq(otp.memory("sandboxes").sbx_bomb, nil, "a destroyed sandbox is no longer accounted")
session, kills, info, down = nil, nil, nil, nil
collectgarbage(); collectgarbage()
local after = otp.memory("total")
-- Tolerance: the sandbox's own state (megabytes) is gone entirely; what may
-- remain are small host-side allocations of this scenario (the host Lua
-- heap of the first process holding the locals and strings created above,
-- collector timing), a few KB, nowhere near the 6 MB the bomb held.
local TOLERANCE = 64 * 1024
expect.truthy(after - baseline <= TOLERANCE,
  string.format("memory returns after destroy: baseline %d, after %d (+%d bytes)",
                baseline, after, after - baseline))
