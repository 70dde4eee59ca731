-- C11: a child supervisor that gives up exits "shutdown"; its parent treats
-- that like any child exit (a supervisor child is permanent, shutdown
-- infinity, by default) and counts it against its own intensity, so a
-- worker that crashes on every start brings the tree down level by level.
-- A restarted child supervisor has only the children of its init spec.
-- Checked against Erlang/OTP 25 (supervisor reports, in order): mid:
-- child_terminated w, child_terminated w, shutdown; top: child_terminated
-- mid; new mid: the same; top: child_terminated mid, shutdown; top exits
-- shutdown.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
otp.trap_exit(true)

local function crasher()
  return otp.spawn_link(function() otp.exit("boom") end)
end

local function idle(name)
  return otp.spawn_link(function()
    otp.send(me, {"init", name})
    otp.receive({"never"})
  end)
end

-- 1. Escalation: top (intensity 1) > mid (intensity 1) > w, which dies at once.
do
  local trace = otp.trace.start{kinds = {"sup_restart", "sup_shutdown"}, to = me}
  local top = assert(supervisor.start_link{intensity = 1, children = {
    {id = "mid", type = "supervisor", start = {supervisor, {intensity = 1, children = {
      {id = "w", start = {crasher}},
    }}}},
  }})
  local by_sup, order = {}, {}
  local exit
  while not exit do
    local m = expect.receive(nil, 2000)
    if m[1] == "EXIT" then exit = m
    else
      local e = m[2]
      local who = e.pid == top and "top" or e.pid
      by_sup[who] = by_sup[who] or {}
      table.insert(by_sup[who], {e.kind, e.id, e.reason})
      order[#order + 1] = {who == "top" and "top" or "mid", e.kind}
    end
  end
  trace:stop()
  expect.eq(exit, {"EXIT", top, "shutdown"})
  local mids = {}
  for who, evs in pairs(by_sup) do
    if who ~= "top" then mids[#mids + 1] = evs end
  end
  expect.eq(#mids, 2, "two generations of mid")
  for _, evs in ipairs(mids) do
    expect.eq(evs, {{"sup_restart", "w", "boom"},
                    {"sup_shutdown", "w", "reached_max_restart_intensity"}})
  end
  expect.eq(by_sup.top, {{"sup_restart", "mid", "shutdown"},
                         {"sup_shutdown", "mid", "reached_max_restart_intensity"}})
  -- level by level: each mid gives up before top reacts to it
  local function pos(who, kind, nth)
    for i, o in ipairs(order) do
      if o[1] == who and o[2] == kind then
        nth = nth - 1
        if nth == 0 then return i end
      end
    end
  end
  expect.truthy(pos("mid", "sup_shutdown", 1) < pos("top", "sup_restart", 1))
  expect.truthy(pos("mid", "sup_shutdown", 2) < pos("top", "sup_shutdown", 1))
  expect.eq(order[#order], {"top", "sup_shutdown"})
end

-- 2. A restarted child supervisor starts from its init spec again.
do
  local top = assert(supervisor.start_link{children = {
    {id = "mid", type = "supervisor", start = {supervisor, {children = {
      {id = "x", start = {idle, "x"}},
    }}}},
  }})
  expect.receive({"init", "x"})
  local mid = supervisor.which_children(top)[1].pid
  expect.eq(supervisor.get_childspec(top, "mid").shutdown, "infinity")
  expect.eq(supervisor.get_childspec(top, "mid").restart, "permanent")
  expect.truthy(supervisor.start_child(mid, {id = "y", start = {idle, "y"}}))
  expect.receive({"init", "y"})
  expect.eq(#supervisor.which_children(mid), 2)
  otp.exit(mid, "kill")
  expect.receive({"init", "x"})
  local mid2 = supervisor.which_children(top)[1].pid
  expect.truthy(mid2 ~= mid)
  local ids = {}
  for i, c in ipairs(supervisor.which_children(mid2)) do ids[i] = c.id end
  expect.eq(ids, {"x"})
  otp.exit(top, "shutdown")
  expect.eq(expect.receive({"EXIT", top}), {"EXIT", top, "shutdown"})
end
expect.no_message(nil, 0)
