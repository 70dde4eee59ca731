-- C16: auto_shutdown = "never" (default) | "any_significant" |
-- "all_significant". It triggers only when a significant child ends BY
-- ITSELF for good (temporary: any reason; transient: normal, shutdown,
-- {shutdown, _}): any_significant at once, all_significant once no
-- significant child is left running. The supervisor then stops the other
-- children newest first and exits "shutdown", so a significant transient
-- child supervisor passes it up. terminate_child and group restarts caused
-- by a sibling never trigger it. significant = true is refused with a
-- permanent child or with auto_shutdown = "never".
-- Checked against Erlang/OTP 25: any_significant [{stop,c,shutdown},
-- {stop,a,shutdown},{'EXIT',Sup,shutdown}]; one_for_all with a crashing
-- sibling: [{stop,c,shutdown},{stop,b,shutdown},{init,a},{init,c}], alive.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")
otp.trap_exit(true)

local start = children.reporter(me)

local function spec(id, restart, significant)
  return {id = id, start = {start, id}, restart = restart, significant = significant}
end

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

local function die(pid, reason)
  local ref = otp.monitor(pid)
  otp.send(pid, {"die", reason})
  expect.receive({"DOWN", ref})
end

-- 1. any_significant: a significant transient ends normally.
do
  local sup = assert(supervisor.start_link{auto_shutdown = "any_significant", children = {
    spec("a"), spec("b", "transient", true), spec("c"),
  }})
  expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
  local b = pid_of(sup, "b")
  die(b, "boom")                            -- abnormal: restarted, no trigger
  expect.eq(take(1), {{"init", "b"}})
  local trace = otp.trace.start{kinds = {"sup_shutdown"}, to = me}
  otp.send(pid_of(sup, "b"), {"die", "normal"})
  expect.eq(take(4), {{"sup_shutdown", "b", "auto_shutdown"},
                      {"stop", "c", "shutdown"}, {"stop", "a", "shutdown"},
                      {"EXIT", sup, "shutdown"}})
  trace:stop()
end

-- 2. all_significant: only when the last significant child is gone;
-- terminate_child never triggers.
do
  local sup = assert(supervisor.start_link{auto_shutdown = "all_significant", children = {
    spec("w"), spec("t1", "temporary", true), spec("t2", "temporary", true),
    spec("t3", "transient", true),
  }})
  expect.eq(take(4), {{"init", "w"}, {"init", "t1"}, {"init", "t2"}, {"init", "t3"}})
  expect.eq(supervisor.terminate_child(sup, "t3"), true)
  expect.eq(take(1), {{"stop", "t3", "shutdown"}})
  local ref = otp.monitor(pid_of(sup, "t1"))
  otp.exit(pid_of(sup, "t1"), "kill")      -- temporary: killed counts
  expect.receive({"DOWN", ref})
  expect.eq(supervisor.count_children(sup).active, 2, "t2 still runs: no shutdown")
  otp.send(pid_of(sup, "t2"), {"die", "boom"})
  expect.eq(take(2), {{"stop", "w", "shutdown"}, {"EXIT", sup, "shutdown"}})
end

-- 3. A group restart caused by a sibling: the significant temporary child
-- is terminated and dropped, no auto shutdown.
do
  local sup = assert(supervisor.start_link{strategy = "one_for_all",
    auto_shutdown = "any_significant", children = {
      spec("a"), spec("b", "temporary", true), spec("c"),
  }})
  expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
  otp.send(pid_of(sup, "a"), {"die", "boom"})
  expect.eq(take(4), {{"stop", "c", "shutdown"}, {"stop", "b", "shutdown"},
                      {"init", "a"}, {"init", "c"}})
  local ids = {}
  for i, c in ipairs(supervisor.which_children(sup)) do ids[i] = c.id end
  expect.eq(ids, {"c", "a"})
  otp.exit(sup, "shutdown")
  expect.eq(take(3), {{"stop", "c", "shutdown"}, {"stop", "a", "shutdown"},
                      {"EXIT", sup, "shutdown"}})
end

-- 4. A significant child supervisor passes the auto shutdown up.
do
  local top = assert(supervisor.start_link{auto_shutdown = "any_significant", children = {
    spec("x"),
    {id = "mid", type = "supervisor", restart = "transient", significant = true,
     start = {supervisor, {auto_shutdown = "any_significant", children = {
       spec("w", "transient", true), spec("y"),
     }}}},
  }})
  expect.eq(take(3), {{"init", "x"}, {"init", "w"}, {"init", "y"}})
  local mid = pid_of(top, "mid")
  otp.send(pid_of(mid, "w"), {"die", "normal"})
  expect.eq(take(3), {{"stop", "y", "shutdown"}, {"stop", "x", "shutdown"},
                      {"EXIT", top, "shutdown"}})
end

-- 5. The refused combinations.
expect.eq({supervisor.start_link{auto_shutdown = "any_significant",
                                 children = {spec("p", "permanent", true)}}},
  {nil, {"start_spec", {"bad_combination", {{"restart", "permanent"}, {"significant", true}}}}})
expect.eq({supervisor.start_link{children = {spec("t", "transient", true)}}},
  {nil, {"start_spec", {"bad_combination", {{"auto_shutdown", "never"}, {"significant", true}}}}})
local sup = assert(supervisor.start_link{children = {}})
expect.eq({supervisor.start_child(sup, spec("t", "temporary", true))},
  {nil, {"bad_combination", {{"auto_shutdown", "never"}, {"significant", true}}}})
expect.no_message(nil, 0)
