-- C18 (OTP's supervisor_SUITE:sup_stop_race): children that exit by
-- themselves while the supervisor is stopping children are never restarted
-- for it: the supervisor finds them dead when their turn comes (the monitor
-- says noproc, the flushed EXIT gives the real reason, reported as a
-- shutdown_error) and carries on. A shutting-down supervisor still exits
-- with its reason; during a group restart the race costs no extra restart.
-- Checked against Erlang/OTP 25: shutdown [{stop,c,shutdown},
-- {stop,a,shutdown},{'EXIT',Sup,shutdown}]; one_for_all [{stop,c,shutdown},
-- shutdown_error boom for b, {init,a},{init,b},{init,c}], still alive.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")
otp.trap_exit(true)

-- A trapping child; on its exit signal it reports, runs on_stop (tell the
-- test to kill b), takes `ms` to stop, then exits.
local function start(name, on_stop, ms)
  local sup = otp.self()
  local pid = otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    otp.send(sup, {"ack", otp.self()})
    while true do
      local m = otp.receive()
      if m[1] == "EXIT" then
        otp.send(me, {"stop", name, m[3]})
        if on_stop then otp.send(me, "kill b now") end
        if ms then otp.sleep(ms) end
        otp.exit(m[3])
      elseif m[1] == "die" then otp.exit(m[2]) end
    end
  end)
  otp.receive({"ack", pid})
  return pid
end

local function take(n, ignore_kill)
  local got = {}
  for i = 1, n do
    local m = expect.receive(nil, 2000)
    while ignore_kill and m == "kill b now" do m = expect.receive(nil, 2000) end
    if m == "kill b now" then return got, i end
    if m[1] == "trace" then m = {m[2].kind, m[2].id, m[2].reason} end
    got[i] = m
  end
  return got
end

local pid_of = children.pid_of

local kinds = {"sup_terminate_child", "sup_restart", "sup_start_child", "sup_shutdown"}

-- 1. Shutting down: b dies by itself while the supervisor waits for c.
do
  local sup = assert(supervisor.start_link{children = {
    {id = "a", start = {start, "a"}}, {id = "b", start = {start, "b"}},
    {id = "c", start = {start, "c", true, 100}},
  }})
  expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
  local b = pid_of(sup, "b")
  local trace = otp.trace.start{kinds = kinds, to = me}
  otp.exit(sup, "shutdown")
  local first = take(2)
  expect.eq(first, {{"stop", "c", "shutdown"}})     -- then "kill b now"
  otp.send(b, {"die", "boom"})
  expect.eq(take(5), {
    {"sup_terminate_child", "c", "shutdown"},
    {"sup_terminate_child", "b", "boom"},           -- found dead: not restarted
    {"stop", "a", "shutdown"}, {"sup_terminate_child", "a", "shutdown"},
    {"EXIT", sup, "shutdown"},
  })
  trace:stop()
end

-- 2. A one_for_all group restart: b dies while c is being stopped; one
-- restart for the whole episode (intensity 1 is not exceeded).
do
  local sup = assert(supervisor.start_link{strategy = "one_for_all", intensity = 1, children = {
    {id = "a", start = {start, "a"}}, {id = "b", start = {start, "b"}},
    {id = "c", start = {start, "c", true, 100}},
  }})
  expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})
  local b = pid_of(sup, "b")
  local trace = otp.trace.start{kinds = {"sup_terminate_child", "sup_restart"}, to = me}
  otp.send(pid_of(sup, "a"), {"die", "boom"})
  expect.eq(take(2), {{"stop", "c", "shutdown"}})
  otp.send(b, {"die", "boom"})
  expect.eq(take(6), {
    {"sup_terminate_child", "c", "shutdown"},
    {"sup_terminate_child", "b", "boom"},
    {"init", "a"}, {"init", "b"}, {"init", "c"},
    {"sup_restart", "a", "boom"},
  })
  trace:stop()
  expect.eq(supervisor.count_children(sup).active, 3)
  -- one restart was counted: the next failure is the one too many
  otp.send(pid_of(sup, "b"), {"die", "boom"})
  expect.eq(take(3, true), {{"stop", "c", "shutdown"}, {"stop", "a", "shutdown"},
                            {"EXIT", sup, "shutdown"}})
end
expect.no_message(nil, 0)
