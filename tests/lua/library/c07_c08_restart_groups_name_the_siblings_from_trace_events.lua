-- C7, C8: which siblings a supervisor restarted with a failing child, read
-- from its sup_* trace events alone (otp.api.restart_groups, which the
-- dashboard's restart counts come from): rest_for_one names the running
-- children after the failing one, one_for_all every running sibling,
-- one_for_one none; a temporary child dropped by the restart is not named,
-- and a hand-made terminate_child + restart_child just before a restart is
-- not mistaken for part of it.
local expect = require "otp.expect"
local groups = require "otp.api.restart_groups"
local supervisor = otp.supervisor
local me = otp.self()

local KINDS = {"sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown"}
local session = otp.trace.start{kinds = KINDS, to = me}
local reader = groups.new()

local function worker() return otp.spawn_link(function() otp.receive() end) end
local function spec(id, restart) return {id = id, start = {worker}, restart = restart} end

local function pids(sup)
  local t = {}
  for _, c in ipairs(supervisor.which_children(sup)) do t[c.id] = c.pid end
  return t
end

-- feeds the events up to the next sup_restart of sup; returns its group by id
local function next_group(sup)
  while true do
    local m = expect.receive(function(x) return type(x) == "table" and x[1] == "trace" end, 5000)
    local with = reader:feed(m[2])
    if m[2].kind == "sup_restart" and m[2].pid == sup then
      local by = {}
      for _, s in ipairs(with) do by[s.id] = {s.old_pid, s.new_pid} end
      return by, m[2]
    end
  end
end

-- rest_for_one: b dies; c and e (running, after b) are restarted with it, d (temporary) is dropped
local rfo = assert(supervisor.start_link{strategy = "rest_for_one", children = {
  spec("a"), spec("b"), spec("c"), spec("d", "temporary"), spec("e")}})
local before = pids(rfo)
otp.exit(before.b, "kill")
local g, ev = next_group(rfo)
local after = pids(rfo)
expect.eq(ev.id, "b")
expect.eq(g, {c = {before.c, after.c}, e = {before.e, after.e}}, "rest_for_one: the children after b")

-- a restarted by hand, then the last child dies: its restart has no sibling
expect.truthy(supervisor.terminate_child(rfo, "a"))
expect.truthy(supervisor.restart_child(rfo, "a"))
otp.exit(pids(rfo).e, "kill")
g, ev = next_group(rfo)
expect.eq(ev.id, "e")
expect.eq(g, {}, "a's restart by hand is not part of e's")

-- one_for_all: y dies; x and z are restarted with it
local ofa = assert(supervisor.start_link{strategy = "one_for_all", children = {spec("x"), spec("y"), spec("z")}})
before = pids(ofa)
otp.exit(before.y, "kill")
g = next_group(ofa)
after = pids(ofa)
expect.eq(g, {x = {before.x, after.x}, z = {before.z, after.z}}, "one_for_all: every running sibling")

-- one_for_one: only the child itself
local ofo = assert(supervisor.start_link{strategy = "one_for_one", children = {spec("p"), spec("q")}})
otp.exit(pids(ofo).p, "kill")
g = next_group(ofo)
expect.eq(g, {}, "one_for_one: no sibling")
session:stop()
