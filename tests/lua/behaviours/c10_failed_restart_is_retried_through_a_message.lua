-- C10: a restart whose start fails marks the child "restarting" and the
-- supervisor sends itself a retry message ({"$gen_cast", {"try_again_restart",
-- id}}), so it stays responsive in between: which_children shows
-- "restarting", restart_child and delete_child answer "restarting". Each
-- retry counts toward the intensity, so a child that can never start
-- escalates to the supervisor's shutdown. one_for_all: a failure of child j
-- in the middle of the group restart terminates the children already
-- restarted and the retry restarts the whole group; rest_for_one: the retry
-- resumes at the failed child.
-- Every sequence below was checked against Erlang/OTP 25.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")
otp.trap_exit(true)

-- From its second call on, start asks the test whether to start (the
-- first call happens inside start_link, while the test waits).
local attempts = {}
local report = children.reporter(me)
local function start(name, ask)
  local n = (attempts[name] or 0) + 1
  attempts[name] = n
  if ask and n > 1 then
    otp.send(me, {"may_start", name, otp.self()})
    local answer = otp.receive({"answer"})[2]
    if answer ~= "ok" then
      otp.send(me, {"start failed", name})
      return nil, answer
    end
  end
  return report(name)
end

local function spec(id, ask) return {id = id, start = {start, id, ask}} end

local pid_of = children.pid_of

-- Collects n events, answering may_start requests from `answers` in turn.
local function take(n, answers)
  local got, k = {}, 0
  for i = 1, n do
    local m = expect.receive(nil, 1000)
    if m[1] == "may_start" then
      k = k + 1
      otp.send(m[3], {"answer", answers[k]})
      m = {"may_start", m[2], answers[k]}
    elseif m[1] == "trace" then
      m = {m[2].kind, m[2].id, m[2].new_pid ~= nil}
    end
    got[i] = m
  end
  return got
end

-- The parent (this process) shuts the supervisor down: the children stop
-- newest first, then the supervisor exits with the parent's reason.
local function shut(sup, ids)
  otp.exit(sup, "shutdown")
  local expected = {}
  for i, id in ipairs(ids) do expected[i] = {"stop", id, "shutdown"} end
  expected[#expected + 1] = {"EXIT", sup, "shutdown"}
  expect.eq(take(#expected), expected)
end

-- 1. Restarting is visible and the supervisor answers calls meanwhile.
do
  local sup = assert(supervisor.start_link{intensity = 10, children = {spec("a", true)}})
  expect.eq(take(1), {{"init", "a"}})
  otp.send(pid_of(sup, "a"), {"die", "boom"})
  local ask = expect.receive({"may_start", "a"})
  -- these calls (the wire protocol: the reply goes to an alias) reach the
  -- supervisor before its retry message does
  local refs = {}
  for i, req in ipairs({"which_children", {"restart_child", "a"}, {"delete_child", "a"},
                        "count_children"}) do
    refs[i] = otp.alias()
    otp.send(sup, {"$gen_call", {me, refs[i]}, req})
  end
  otp.send(ask[3], {"answer", "nope"})
  local replies = {}
  for i = 1, 4 do replies[i] = expect.receive({refs[i]})[2] end
  expect.eq(replies, {
    {{id = "a", pid = "restarting", type = "worker", modules = {}}},
    {"error", "restarting"},
    {"error", "restarting"},
    {specs = 1, active = 0, supervisors = 0, workers = 1},
  })
  expect.eq(take(3, {"ok"}), {{"start failed", "a"}, {"may_start", "a", "ok"}, {"init", "a"}})
  expect.truthy(otp.is_alive(pid_of(sup, "a")))
  shut(sup, {"a"})
end

-- 2. A child that can never start again: with intensity 3 the supervisor
-- tries 3 times, then gives up and shuts down (Erlang: 3 attempts, then
-- {stop,a,shutdown} and {'EXIT',Sup,shutdown}).
do
  local sup = assert(supervisor.start_link{intensity = 3, period = 5, children = {
    spec("a"), spec("b", true),
  }})
  expect.eq(take(2), {{"init", "a"}, {"init", "b"}})
  local trace = otp.trace.start{kinds = {"sup_restart", "sup_shutdown"}, to = me}
  otp.send(pid_of(sup, "b"), {"die", "boom"})
  expect.eq(take(12, {"nope", "nope", "nope"}), {
    {"may_start", "b", "nope"}, {"start failed", "b"}, {"sup_restart", "b", false},
    {"may_start", "b", "nope"}, {"start failed", "b"}, {"sup_restart", "b", false},
    {"may_start", "b", "nope"}, {"start failed", "b"}, {"sup_restart", "b", false},
    {"sup_shutdown", "b", false},
    {"stop", "a", "shutdown"},
    {"EXIT", sup, "shutdown"},
  })
  trace:stop()
end

-- 3. one_for_all, b fails in the middle of the group restart: the retry
-- terminates the already restarted a and restarts the whole group.
-- Erlang: [{stop,c,shutdown},{stop,b,shutdown},{init,a},{may_start,b,nope},
-- {start_failed,b},{stop,a,shutdown},{init,a},{may_start,b,ok},{init,b},{init,c}]
do
  local sup = assert(supervisor.start_link{strategy = "one_for_all", intensity = 10, children = {
    spec("a"), spec("b", true), spec("c"),
  }})
  expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
  otp.send(pid_of(sup, "a"), {"die", "boom"})
  expect.eq(take(10, {"nope", "ok"}), {
    {"stop", "c", "shutdown"}, {"stop", "b", "shutdown"},
    {"init", "a"}, {"may_start", "b", "nope"}, {"start failed", "b"},
    {"stop", "a", "shutdown"},
    {"init", "a"}, {"may_start", "b", "ok"}, {"init", "b"}, {"init", "c"},
  })
  local ids = {}
  for i, c in ipairs(supervisor.which_children(sup)) do ids[i] = {c.id, otp.is_alive(c.pid)} end
  expect.eq(ids, {{"c", true}, {"b", true}, {"a", true}})
  shut(sup, {"c", "b", "a"})
end

-- 4. rest_for_one, c fails when b dies: the retry resumes at c; b keeps
-- the pid it was restarted with.
-- Erlang: [{stop,d,shutdown},{stop,c,shutdown},{init,b},{may_start,c,nope},
-- {start_failed,c},{may_start,c,ok},{init,c},{init,d}]
do
  local sup = assert(supervisor.start_link{strategy = "rest_for_one", intensity = 10, children = {
    spec("a"), spec("b"), spec("c", true), spec("d"),
  }})
  expect.eq(take(4), {{"init", "a"}, {"init", "b"}, {"init", "c"}, {"init", "d"}})
  local a = pid_of(sup, "a")
  otp.send(pid_of(sup, "b"), {"die", "boom"})
  expect.eq(take(3, {}), {{"stop", "d", "shutdown"}, {"stop", "c", "shutdown"}, {"init", "b"}})
  expect.eq(take(5, {"nope", "ok"}), {
    {"may_start", "c", "nope"}, {"start failed", "c"},
    {"may_start", "c", "ok"}, {"init", "c"}, {"init", "d"},
  })
  expect.eq(pid_of(sup, "a"), a)
  expect.alive(pid_of(sup, "b"))         -- started once, after b died: not by the retry
  shut(sup, {"d", "c", "b", "a"})
end
expect.no_message(nil, 0)
