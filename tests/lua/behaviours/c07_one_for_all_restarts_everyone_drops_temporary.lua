-- C7: one_for_all: when child k dies, every other running child is
-- terminated in reverse start order (reason shutdown, each per its shutdown
-- spec), then every non-temporary child is started again in start order.
-- A temporary sibling is terminated and dropped. Children that were not
-- running (stopped by terminate_child, a transient that ended normally)
-- are started too: the group restart starts the whole spec list.
-- Checked against Erlang/OTP 25: [{stop,d,shutdown},{stop,c,shutdown},
-- {stop,a,shutdown},{init,a},{init,b},{init,c}], children [c,b,a].
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")

local start = children.reporter(me)

local function spec(id, restart) return {id = id, start = {start, id}, restart = restart} end

local function take(n)
  local got = {}
  for i = 1, n do
    local m = expect.receive(nil, 1000)
    if m[1] == "trace" then m = {m[2].kind, m[2].id, m[2].reason} end
    got[i] = m
  end
  return got
end

local pid_of = children.pid_of

local function ids(sup)
  local t = {}
  for i, c in ipairs(supervisor.which_children(sup)) do
    t[i] = {c.id, type(c.pid) == "string" and c.pid or "pid"}
  end
  return t
end

-- 1. The group restart, a temporary sibling dropped.
local sup = assert(supervisor.start_link{strategy = "one_for_all", children = {
  spec("a"), spec("b"), spec("c"), spec("d", "temporary"),
}})
expect.eq(take(4), {{"init", "a"}, {"init", "b"}, {"init", "c"}, {"init", "d"}})
local trace = otp.trace.start{kinds = {"sup_restart", "sup_terminate_child"}, to = me}
otp.send(pid_of(sup, "b"), {"die", "boom"})
expect.eq(take(10), {
  {"stop", "d", "shutdown"}, {"sup_terminate_child", "d", "shutdown"},
  {"stop", "c", "shutdown"}, {"sup_terminate_child", "c", "shutdown"},
  {"stop", "a", "shutdown"}, {"sup_terminate_child", "a", "shutdown"},
  {"init", "a"}, {"init", "b"}, {"init", "c"},
  {"sup_restart", "b", "boom"},
})
trace:stop()
expect.eq(ids(sup), {{"c", "pid"}, {"b", "pid"}, {"a", "pid"}})

-- 2. Stopped children come back with the group.
local sup2 = assert(supervisor.start_link{strategy = "one_for_all", children = {
  spec("a"), spec("b"), spec("c", "transient"),
}})
expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
expect.eq(supervisor.terminate_child(sup2, "b"), true)
local c = pid_of(sup2, "c")
local ref = otp.monitor(c)
otp.send(c, {"die", "normal"})
expect.receive({"DOWN", ref})
expect.eq(ids(sup2), {{"c", "undefined"}, {"b", "undefined"}, {"a", "pid"}})
expect.eq(take(1), {{"stop", "b", "shutdown"}})
otp.send(pid_of(sup2, "a"), {"die", "boom"})
expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
expect.eq(ids(sup2), {{"c", "pid"}, {"b", "pid"}, {"a", "pid"}})
expect.no_message(nil, 0)
