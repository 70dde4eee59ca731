-- max_reductions (per process per second): a process stuck in an infinite
-- loop is killed with reason {"limit", "max_reductions"}, the tracer records
-- a limit_killed event, and the other processes of the sandbox (which do not
-- burn reductions) are untouched. The sandbox keeps working afterwards.
local expect = require "otp.expect"
local sandbox = otp.sandbox
otp.log_level("none")

expect.eq(sandbox.create("sbx_reds", {max_reductions = 50000}), true)
local session = otp.trace.start{sandbox = "sbx_reds", kinds = {"limit_killed"}}

local idle = sandbox.spawn("sbx_reds", function() otp.receive({"never"}) end)
local spinner, ref = otp.spawn_opt(function()
  local n = 0
  while true do n = n + 1 end
end, {sandbox = "sbx_reds", monitor = true})

local down = expect.receive({"DOWN", ref}, 3000)
expect.eq(down[5], {"limit", "max_reductions"})

local ev = session:events(function(e) return e.kind == "limit_killed" end)
expect.eq(#ev, 1)
expect.eq(ev[1].pid, spinner)
expect.eq(ev[1].limit, "the sandbox's max_reductions")
expect.eq(ev[1].name, "sbx_reds")
session:stop()

expect.alive(idle, "a process under its budget is not killed")
local info = sandbox.info("sbx_reds")
expect.eq(info.limit_kills, 1)
expect.eq(info.limits.max_reductions, 50000)
expect.eq({sandbox.run("sbx_reds", function(a, b) return a * b end, 6, 7)}, {42},
          "the sandbox still runs code")

expect.eq(sandbox.destroy("sbx_reds"), true)
expect.dead(idle)
