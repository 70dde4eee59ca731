-- otp.fault.crash(pid, reason): the process raises error(reason) itself at
-- its next receive, sleep or yield: it dies of its own error, with the
-- reason {"error", reason, traceback} and a crash report, unlike
-- otp.exit(pid, reason) (an exit signal from outside). A gen_server's
-- terminate runs with that reason; a supervisor shuts its children down
-- (C12) before it exits with it.
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
local terminated = expect.receive(otp.match{"terminated"}, 1000)
expect.eq(terminated[2][2], "injected", "terminate ran with the injected reason")

-- a supervisor: its child (trapping exits) is shut down before it exits
local supervisor = otp.supervisor
local sup = supervisor.start_link({strategy = "one_for_one", children = {
  {id = "w", start = {function()
    return otp.spawn_link(function()
      otp.trap_exit(true)
      otp.send(me, {"child", otp.self()})
      local m = otp.receive(otp.match{"EXIT"})
      otp.send(me, {"child_exit", m[2], m[3]})
      otp.exit(m[3])                  -- as a trapping worker should
    end)
  end}},
}})
otp.unlink(sup)
expect.receive(otp.match{"child"}, 1000)
local sup_ref = otp.monitor(sup)
otp.fault.crash(sup, "injected_sup")
local child_exit = expect.receive(otp.match{"child_exit"}, 2000)
expect.eq(child_exit[2], sup, "the shutdown came from the supervisor")
expect.eq(child_exit[3], "shutdown", "C12: the child is told shutdown")
local sup_down = expect.receive(otp.match{"DOWN", sup_ref}, 2000)
expect.eq(sup_down[5][1], "error")
expect.eq(sup_down[5][2], "injected_sup")

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
expect.eq(#kinds, 4)
expect.eq(kinds[1].pid, srv)
expect.error(function() otp.fault.crash(sleeper) end, "noproc:")
expect.error(function() otp.fault.crash("x") end, "badarg:")
