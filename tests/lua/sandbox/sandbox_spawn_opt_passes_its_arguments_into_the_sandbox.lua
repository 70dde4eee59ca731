-- otp.spawn_opt(fn, opts, ...) runs fn(...) (API.md 2), also with
-- opts.sandbox: the new process inside the sandbox gets exactly the
-- arguments after opts, as otp.spawn_opt without a sandbox and
-- otp.sandbox.spawn(name, fn, ...) give them.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()

local function report(tag, a, b, c, ...)
  otp.send(tag, {"args", a, b, c, select("#", ...)})
end

expect.eq(sandbox.create("sbx_spawn_opt", {}), true)

-- reference behaviours: host spawn_opt and sandbox.spawn
otp.spawn_opt(report, {}, me, "x", 2, 3.5)
expect.eq(expect.receive({"args"}), {"args", "x", 2, 3.5, 0})
sandbox.spawn("sbx_spawn_opt", report, me, "x", 2, 3.5)
expect.eq(expect.receive({"args"}), {"args", "x", 2, 3.5, 0})

-- spawn_opt into the sandbox, with a monitor
local pid, ref = otp.spawn_opt(function(tag, a, b, c, ...)
  otp.send(tag, {"args", a, b, c, select("#", ...)})
end, {sandbox = "sbx_spawn_opt", monitor = true}, me, "x", 2, 3.5)
expect.eq(otp.process_info(pid, "sandbox"), "sbx_spawn_opt")
local down = expect.receive({"DOWN", ref})
local got = otp.receive({"args"}, 0)
expect.eq(sandbox.destroy("sbx_spawn_opt"), true)

expect.eq(down[5], "normal", "the process ran fn(...) to its end")
expect.eq(got, {"args", "x", 2, 3.5, 0},
          "spawn_opt into a sandbox passes the arguments after opts")
