-- C14: the supervisor traps exits. An exit signal from a process that is
-- neither its parent nor one of its children is ignored (whatever the
-- reason, "normal" included). From its parent, any reason ("normal",
-- {"shutdown", x}, ...) shuts it down: children stopped newest first, then
-- it exits with that reason. exit(sup, "kill") kills it at once: its
-- trapping children get {"EXIT", sup, "killed"}.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
otp.trap_exit(true)

local function start(name)
  local sup = otp.self()
  local pid = otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    otp.send(sup, {"ack", otp.self()})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stop", name, m[2] == sup and "from sup" or m[2], m[3]})
    otp.exit(m[3])
  end)
  otp.receive({"ack", pid})
  return pid
end

local function new_sup()
  local sup = assert(supervisor.start_link{children = {
    {id = "a", start = {start, "a"}}, {id = "b", start = {start, "b"}},
  }})
  expect.receive({"init", "a"})
  expect.receive({"init", "b"})
  return sup
end

local function pids(sup)
  local t = {}
  for i, c in ipairs(supervisor.which_children(sup)) do t[i] = c.pid end
  return t
end

-- 1. Strangers: exit signals and a linked process dying are ignored.
do
  local sup = new_sup()
  local before = pids(sup)
  local stranger, ref = otp.spawn_monitor(function(s)
    otp.exit(s, "normal")
    otp.exit(s, "boom")
    otp.exit(s, "shutdown")
    otp.link(s)
    otp.exit("crash")                       -- a linked stranger dies
  end, sup)
  expect.eq(expect.receive({"DOWN", ref})[5], "crash")
  expect.eq(pids(sup), before)              -- the call comes after the signals
  expect.eq(supervisor.count_children(sup).active, 2)
  otp.exit(sup, "shutdown")
  expect.eq({expect.receive(), expect.receive(), expect.receive()}, {
    {"stop", "b", "from sup", "shutdown"}, {"stop", "a", "from sup", "shutdown"},
    {"EXIT", sup, "shutdown"},
  })
  expect.truthy(stranger)
end

-- 2. The parent: exit(sup, "normal") is a shutdown with reason normal.
do
  local sup = new_sup()
  otp.exit(sup, "normal")
  expect.eq({expect.receive(), expect.receive(), expect.receive()}, {
    {"stop", "b", "from sup", "shutdown"}, {"stop", "a", "from sup", "shutdown"},
    {"EXIT", sup, "normal"},
  })
end

-- 3. kill: no shutdown procedure; the children see the supervisor die.
do
  local sup = new_sup()
  local ref = otp.monitor(sup)
  otp.exit(sup, "kill")
  expect.eq(expect.receive({"DOWN", ref})[5], "killed")
  expect.eq(expect.receive({"EXIT", sup}), {"EXIT", sup, "killed"})
  local got = {expect.receive({"stop"}), expect.receive({"stop"})}
  table.sort(got, function(x, y) return x[2] < y[2] end)
  expect.eq(got, {{"stop", "a", "from sup", "killed"}, {"stop", "b", "from sup", "killed"}})
end
expect.no_message(nil, 0)
