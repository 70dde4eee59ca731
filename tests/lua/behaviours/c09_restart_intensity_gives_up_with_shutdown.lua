-- C9: restart intensity. Each automatic restart is remembered (one entry
-- per failure, even when one_for_all restarts the whole group); when a
-- failure would make more than `intensity` restarts within `period`
-- seconds, the failed child is not restarted, the other children are
-- terminated in reverse start order and the supervisor exits "shutdown".
-- intensity = 0: the first restart-worthy exit is fatal. The defaults are
-- Elixir's: 3 restarts in 5 s.
-- Checked against Erlang/OTP 25 (one_for_all, intensity 1): after the first
-- crash [{stop,c,shutdown},{stop,a,shutdown},{init,a},{init,b},{init,c}],
-- after the second [{stop,b,shutdown},{stop,a,shutdown},{'EXIT',Sup,shutdown}].
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")
otp.trap_exit(true)

local start = children.reporter(me)

local function spec(id, restart) return {id = id, start = {start, id}, restart = restart} end

local function take(n)
  local got = {}
  for i = 1, n do
    local m = expect.receive(nil, 1000)
    if m[1] == "trace" then m = {m[2].kind, m[2].id, m[2].reason, m[2].strategy} end
    got[i] = m
  end
  return got
end

local pid_of = children.pid_of

-- 1. intensity 2: two restarts pass, the third failure is one too many.
do
  local sup = assert(supervisor.start_link{intensity = 2, period = 5, children = {
    spec("a"), spec("b"), spec("c"),
  }})
  expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
  for _ = 1, 2 do
    otp.send(pid_of(sup, "b"), {"die", "boom"})
    expect.eq(take(1), {{"init", "b"}})
  end
  local trace = otp.trace.start{kinds = {"sup_shutdown", "sup_terminate_child"}, to = me}
  otp.send(pid_of(sup, "b"), {"die", "boom"})
  expect.eq(take(6), {
    {"sup_shutdown", "b", "reached_max_restart_intensity", "one_for_one"},
    {"stop", "c", "shutdown"}, {"sup_terminate_child", "c", "shutdown"},
    {"stop", "a", "shutdown"}, {"sup_terminate_child", "a", "shutdown"},
    {"EXIT", sup, "shutdown"},
  })
  trace:stop()
end

-- 2. one_for_all: a group restart is ONE restart.
do
  local sup = assert(supervisor.start_link{strategy = "one_for_all", intensity = 1, children = {
    spec("a"), spec("b"), spec("c"),
  }})
  expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
  otp.send(pid_of(sup, "b"), {"die", "boom"})
  expect.eq(take(5), {{"stop", "c", "shutdown"}, {"stop", "a", "shutdown"},
                      {"init", "a"}, {"init", "b"}, {"init", "c"}})
  otp.send(pid_of(sup, "c"), {"die", "boom"})
  expect.eq(take(3), {{"stop", "b", "shutdown"}, {"stop", "a", "shutdown"},
                      {"EXIT", sup, "shutdown"}})
end

-- 3. intensity 0: the first restart is one too many; an exit that needs no
-- restart (a transient ending normally) is not counted.
do
  local sup = assert(supervisor.start_link{intensity = 0, children = {
    spec("t", "transient"), spec("p"),
  }})
  expect.eq(take(2), {{"init", "t"}, {"init", "p"}})
  local t = pid_of(sup, "t")
  local ref = otp.monitor(t)
  otp.send(t, {"die", "normal"})
  expect.receive({"DOWN", ref})
  expect.eq(supervisor.count_children(sup).active, 1)
  otp.send(pid_of(sup, "p"), {"die", "boom"})
  expect.eq(take(1), {{"EXIT", sup, "shutdown"}})
end

-- 4. The defaults: 3 restarts in 5 s are fine, the 4th failure is fatal.
do
  local sup = assert(supervisor.start_link{children = {spec("a")}})
  expect.eq(take(1), {{"init", "a"}})
  for _ = 1, 3 do
    otp.send(pid_of(sup, "a"), {"die", "boom"})
    expect.eq(take(1), {{"init", "a"}})
  end
  otp.send(pid_of(sup, "a"), {"die", "boom"})
  expect.eq(take(1), {{"EXIT", sup, "shutdown"}})
end
expect.no_message(nil, 0)
