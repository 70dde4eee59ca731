-- otp.fault.crash(pid, reason): the process raises error(reason) itself at
-- its next receive, sleep or yield: it dies of its own error, with the
-- reason {"error", reason, traceback} and a crash report, unlike
-- otp.exit(pid, reason) (an exit signal from outside).
local expect = otp.expect
local gen_server = otp.gen_server
local me = otp.self()
local session = otp.trace.start{pids = "all", kinds = {"fault_crash"}}

local srv = gen_server.start({
  init = function(tell) return "ok", tell end,
  handle_call = function(req, _, s) return "reply", req, s end,
  terminate = function(reason, tell) otp.send(tell, {"terminated", reason}) end,
}, me)
expect.eq(gen_server.call(srv, "ping"), "ping")
local ref = otp.monitor(srv)
otp.fault.crash(srv, "injected")
local down = expect.receive(otp.match{"DOWN", ref}, 1000)
expect.eq(down[5][1], "error")
expect.eq(down[5][2], "injected")
expect.truthy(down[5][3]:find("otp.receive", 1, true))

-- a sleeping process, and a busy one that yields
local sleeper = otp.spawn(function() otp.sleep(60000) end)
otp.fault.crash(sleeper, {"boom", 1})
expect.exit_reason(sleeper, function(r) return r[1] == "error" and r[2][1] == "boom" end, 1000)
local busy = otp.spawn(function() while true do otp.yield() end end)
otp.fault.crash(busy)
expect.exit_reason(busy, function(r) return r[2] == "fault_crash" end, 1000)

-- a crash cleared before it acts never happens
local calm = otp.spawn(function() otp.sleep(20) otp.receive() end)
local rule = otp.fault.crash(calm)
expect.eq(rule.clear(), true)
otp.sleep(40)
expect.alive(calm)

local kinds = session:events(function(e) return e.kind == "fault_crash" end)
expect.eq(#kinds, 3)
expect.eq(kinds[1].pid, srv)
expect.error(function() otp.fault.crash(sleeper) end, "noproc:")
expect.error(function() otp.fault.crash("x") end, "badarg:")
