-- C3: a start function that returns nil, "ignore": a non-temporary child's
-- spec is kept with pid "undefined" (not active), a temporary child's spec
-- is dropped. The same holds for start_child (nil, "ignore": OTP's
-- {ok, undefined}), for restart_child (true, no pid) and for a restart
-- (one_for_one or within a group restart).
-- Checked against Erlang/OTP 25 (same scenario, same results).
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")

-- start(name, ignore_from): the n-th call for name (n >= ignore_from)
-- says ignore; otherwise a trapping child that reports init and stop.
local attempts = {}
local report = children.reporter(me)
local function start(name, ignore_from)
  local n = (attempts[name] or 0) + 1      -- upvalue: lives in the supervisor
  attempts[name] = n
  if ignore_from and n >= ignore_from then
    otp.send(me, {"ignored", name})
    return nil, "ignore"
  end
  return report(name)
end

local function spec(id, ignore_from, restart)
  return {id = id, start = {start, id, ignore_from}, restart = restart}
end

local function take(n)
  local got = {}
  for i = 1, n do got[i] = expect.receive(nil, 1000) end
  return got
end

local function shape(sup)          -- which_children as {id, pid or status}
  local out = {}
  for i, c in ipairs(supervisor.which_children(sup)) do
    out[i] = {c.id, type(c.pid) == "string" and c.pid or "pid"}
  end
  return out
end

local pid_of = children.pid_of

-- 1. At init.
local sup = assert(supervisor.start_link{children = {
  spec("a"), spec("b", 1), spec("t", 1, "temporary"), spec("c", 2),
}})
expect.eq(take(4), {{"init", "a"}, {"ignored", "b"}, {"ignored", "t"}, {"init", "c"}})
expect.eq(shape(sup), {{"c", "pid"}, {"b", "undefined"}, {"a", "pid"}})
expect.eq(supervisor.count_children(sup), {specs = 3, active = 2, supervisors = 0, workers = 3})

-- 2. start_child: the permanent spec stays (a second start_child finds it),
-- the temporary one is gone.
expect.eq({supervisor.start_child(sup, spec("d", 1))}, {nil, "ignore"})
expect.eq({supervisor.start_child(sup, spec("e", 1, "temporary"))}, {nil, "ignore"})
expect.eq({supervisor.start_child(sup, spec("d"))}, {nil, "already_present"})
expect.eq(shape(sup), {{"d", "undefined"}, {"c", "pid"}, {"b", "undefined"}, {"a", "pid"}})
expect.eq(take(2), {{"ignored", "d"}, {"ignored", "e"}})

-- 3. A one_for_one restart that is ignored leaves the child undefined.
otp.send(pid_of(sup, "c"), {"die", "boom"})
expect.eq(take(1), {{"ignored", "c"}})
expect.eq(shape(sup), {{"d", "undefined"}, {"c", "undefined"}, {"b", "undefined"}, {"a", "pid"}})

-- 4. restart_child of an ignoring child: true without a pid.
expect.eq({supervisor.restart_child(sup, "b")}, {true})
expect.eq({supervisor.restart_child(sup, "c")}, {true})
expect.eq(take(2), {{"ignored", "b"}, {"ignored", "c"}})

-- 5. Within a one_for_all group restart.
local sup2 = assert(supervisor.start_link{strategy = "one_for_all", children = {
  spec("a2"), spec("b2", 2), spec("c2"),
}})
expect.eq(take(3), {{"init", "a2"}, {"init", "b2"}, {"init", "c2"}})
otp.send(pid_of(sup2, "a2"), {"die", "boom"})
expect.eq(take(5), {{"stop", "c2", "shutdown"}, {"stop", "b2", "shutdown"},
                    {"init", "a2"}, {"ignored", "b2"}, {"init", "c2"}})
expect.eq(shape(sup2), {{"c2", "pid"}, {"b2", "undefined"}, {"a2", "pid"}})
expect.no_message(nil, 0)
