-- C2: when a child fails to start during the supervisor's init, the children
-- already started are terminated in reverse start order (reason shutdown),
-- the later ones are never started, and start_link returns
-- nil, {"shutdown", {"failed_to_start_child", id, reason}}. As in OTP 26,
-- the caller gets no {"EXIT", ...} and, trapping or not, survives.
-- Checked against Erlang/OTP: [{init,a},{init,b},{start_failed,c},
-- {stop,b,shutdown},{stop,a,shutdown}] then {error,{shutdown,{failed_to_start_child,c,boom}}}.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()

-- A trapping child that reports its init and the exit signal that ends it.
local function start(name)
  local sup = otp.self()
  local pid = otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    otp.send(sup, {"ack", otp.self()})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stop", name, m[3]})
    otp.exit(m[3])
  end)
  otp.receive({"ack", pid})
  return pid
end

local function fail(name, how)
  otp.send(me, {"start failed", name})
  if how == "error" then error("cannot start " .. name) end
  if how == "junk" then return 42 end
  return nil, "boom"
end

local function spec(id, f, ...) return {id = id, start = {f, id, ...}} end

local function take(n)
  local got = {}
  for i = 1, n do
    local m = expect.receive(nil, 1000)
    if m[1] == "trace" then m = {m[2].kind, m[2].id, m[2].reason} end
    got[i] = m
  end
  return got
end

-- 1. The exact sequence, with the supervisor's trace events; the caller
-- traps exits, so an EXIT would show up in its mailbox.
do
  otp.trap_exit(true)
  local trace = otp.trace.start{kinds = {"sup_start_child", "sup_terminate_child"}, to = me}
  local sup, reason = supervisor.start_link{children = {
    spec("a", start), spec("b", start), spec("c", fail), spec("d", start),
  }}
  expect.eq({sup, reason}, {nil, {"shutdown", {"failed_to_start_child", "c", "boom"}}})
  expect.eq(take(10), {
    {"init", "a"}, {"sup_start_child", "a", nil},
    {"init", "b"}, {"sup_start_child", "b", nil},
    {"start failed", "c"}, {"sup_start_child", "c", "boom"},
    {"stop", "b", "shutdown"}, {"sup_terminate_child", "b", "shutdown"},
    {"stop", "a", "shutdown"}, {"sup_terminate_child", "a", "shutdown"},
  })
  trace:stop()
  expect.no_message(nil, 0, "no EXIT from the dead supervisor (OTP 26)")
  otp.trap_exit(false)
end

-- 2. A start function that raises, or returns something that is not a pid:
-- OTP's catch gives {"EXIT", reason}; anything else returned is the reason.
do
  local _, reason = supervisor.start_link{children = {spec("a", start), spec("x", fail, "error")}}
  expect.eq(reason, {"shutdown", {"failed_to_start_child", "x", {"EXIT", {"error", otp._, otp._}}}})
  expect.truthy(reason[2][3][2][2]:find("cannot start x", 1, true))
  expect.eq(take(3), {{"init", "a"}, {"start failed", "x"}, {"stop", "a", "shutdown"}})
  local _, reason2 = supervisor.start_link{children = {spec("y", fail, "junk")}}
  expect.eq(reason2, {"shutdown", {"failed_to_start_child", "y", 42}})
  expect.eq(take(1), {{"start failed", "y"}})
end

-- 3. A caller that does not trap exits survives the failed start.
do
  local caller, ref = otp.spawn_monitor(function()
    local _, reason = supervisor.start_link{children = {spec("a", start), spec("c", fail)}}
    otp.send(me, {"caller got", reason})
  end)
  expect.eq(take(3), {{"init", "a"}, {"start failed", "c"},
                      {"stop", "a", "shutdown"}})
  expect.eq(expect.receive({"caller got"}), {"caller got",
    {"shutdown", {"failed_to_start_child", "c", "boom"}}})
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", caller, "normal"})
end
expect.no_message(nil, 0)
