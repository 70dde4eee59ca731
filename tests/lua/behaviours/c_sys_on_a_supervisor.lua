-- otp.sys works on supervisors: get_state (a snapshot: strategy,
-- intensity, period, auto_shutdown, restarts counted now, children),
-- get_status (module "supervisor"), suspend/resume (while suspended, child
-- exits wait in the mailbox and are handled on resume), replace_state
-- (only strategy, intensity and period can change), terminate (the
-- children are stopped first, as for any shutdown).
local expect = require "otp.expect"
local supervisor, sys = otp.supervisor, otp.sys
local me = otp.self()
otp.trap_exit(true)

local function start(name)
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stop", name, m[3]})
    otp.exit(m[3])
  end)
end

local sup = assert(supervisor.start_link{name = "top", strategy = "one_for_all", children = {
  {id = "a", start = {start, "a"}}, {id = "b", start = {start, "b"}},
}})
expect.receive({"init", "a"})
expect.receive({"init", "b"})

local st = sys.get_state("top")
expect.eq(st, {strategy = "one_for_all", intensity = 3, period = 5, auto_shutdown = "never",
  restarts = 0, children = supervisor.which_children(sup)})
local status = sys.get_status(sup)
expect.eq({status.module, status.status, status.name, status.parent}, {"supervisor", "running", "top", me})

-- suspended: an EXIT waits; resumed: the group restart happens
expect.eq(sys.suspend(sup), true)
otp.exit(st.children[1].pid, "kill")                 -- b
expect.eq(sys.get_status(sup).status, "suspended")
expect.no_message({"init"}, 50)                       -- nothing happens while suspended
expect.eq(sys.resume(sup), true)
expect.eq({expect.receive(), expect.receive(), expect.receive()},
          {{"stop", "a", "shutdown"}, {"init", "a"}, {"init", "b"}})
expect.eq(sys.get_state(sup).restarts, 1)

-- replace_state: the flags a supervisor lets you change
local new = sys.replace_state(sup, function(s) s.intensity = 7; s.strategy = "one_for_one"; return s end)
expect.eq({new.intensity, sys.get_state(sup).intensity, sys.get_state(sup).strategy},
          {7, 7, "one_for_one"})

-- terminate: children first, newest first
expect.eq(sys.terminate(sup, "normal"), true)
expect.eq({expect.receive(), expect.receive(), expect.receive()},
          {{"stop", "b", "shutdown"}, {"stop", "a", "shutdown"}, {"EXIT", sup, "normal"}})
expect.eq(otp.whereis("top"), nil)
expect.no_message(nil, 0)
