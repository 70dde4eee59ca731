-- A spawn loop inside a sandbox with max_processes = 10 is refused at the
-- limit: the spawn raises an error starting with "limit:" (catchable with
-- pcall), the processes already spawned keep running, info() counts the
-- refusal as a limit kill and the tracer records a limit_killed event with
-- the sandbox's max_processes. Spawns work again once processes end.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()

expect.eq(sandbox.create("sbx_fork", {max_processes = 10}), true)
local session = otp.trace.start{sandbox = "sbx_fork", kinds = {"limit_killed"}}

-- The spawner is one of the sandbox's 10 processes: it gets 9 children.
local spawner = sandbox.spawn("sbx_fork", function(host)
  local kids = {}
  local ok, err
  while true do
    ok, err = pcall(otp.spawn, function() otp.receive({"stop"}) end)
    if not ok then break end
    kids[#kids + 1] = err
  end
  otp.send(host, {"refused", #kids, err, otp.processes()})
  for _, k in ipairs(kids) do otp.send(k, {"stop"}) end
  otp.receive({"again"})
  local again = table.pack(pcall(otp.spawn, function() end))
  otp.send(host, {"again", again[1]})
  otp.receive({"never"})
end, me)

local m = expect.receive({"refused"}, 2000)
expect.eq(m[2], 9, "the spawner plus 9 children make max_processes")
expect.eq(type(m[3]), "string")
expect.eq(m[3]:sub(1, 6), "limit:", "the refused spawn raises a limit: error")
expect.eq(#m[4], 10, "10 processes were alive inside at the refusal")

expect.eq(sandbox.info("sbx_fork").limit_kills, 1)
local ev = session:events(function(e) return e.kind == "limit_killed" end)
expect.eq(#ev, 1)
expect.eq(ev[1].pid, spawner)
expect.eq(ev[1].name, "sbx_fork")
expect.eq(ev[1].limit, "the sandbox's max_processes")
session:stop()

-- after the children stop, there is room again
expect.eventually(function() return sandbox.info("sbx_fork").processes == 1 end)
otp.send(spawner, {"again"})
expect.eq(expect.receive({"again"}), {"again", true})
expect.alive(spawner)

expect.eq(sandbox.destroy("sbx_fork"), true)
expect.dead(spawner)
