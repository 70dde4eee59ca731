-- Dynamic supervisor restarts: permanent always, transient after an
-- abnormal exit, temporary never; the restarted child gets a new pid and
-- counts as the newest child. Restarts count against intensity/period
-- (default 3 in 5 s); one too many stops every child and exits "shutdown".
-- A failed restart is retried through a {"$gen_restart", old_pid} message
-- to itself: meanwhile the child shows as "restarting".
local expect = require "otp.expect"
local ds = otp.dynamic_supervisor
local me = otp.self()
otp.trap_exit(true)

local calls = {}
local function start(name, ask)
  calls[name] = (calls[name] or 0) + 1
  if ask and calls[name] > 1 then
    otp.send(me, {"may_start", name, otp.self()})
    local answer = otp.receive({"answer"})[2]
    if answer ~= "ok" then return nil, answer end
  end
  return otp.spawn_link(function()
    otp.send(me, {"init", name})
    local m = otp.receive({"die"})
    otp.exit(m[2])
  end)
end

local function die(pid, reason)
  local ref = otp.monitor(pid)
  otp.send(pid, {"die", reason})
  expect.receive({"DOWN", ref})
end

local function pids(sup)
  local t = {}
  for i, c in ipairs(ds.which_children(sup)) do t[i] = c.pid end
  return t
end

local sup = assert(ds.start_link{intensity = 3, period = 5})
local p = assert(ds.start_child(sup, {start = {start, "p"}}))
local t = assert(ds.start_child(sup, {start = {start, "t"}, restart = "transient"}))
local tmp = assert(ds.start_child(sup, {start = {start, "tmp"}, restart = "temporary"}))
for _, n in ipairs({"p", "t", "tmp"}) do expect.receive({"init", n}) end

die(p, "normal")                                     -- permanent: restart 1
expect.receive({"init", "p"})
local now = pids(sup)
expect.eq({now[1], now[2]}, {t, tmp})
expect.truthy(now[3] ~= p, "the restarted child is the newest")
die(t, "normal")                                     -- transient, normal: gone
die(tmp, "boom")                                     -- temporary: gone
expect.eq(#pids(sup), 1)

-- a failed restart, retried (restart 2 fails, restart 3 works)
local q = assert(ds.start_child(sup, {start = {start, "q", true}}))
expect.receive({"init", "q"})
otp.send(q, {"die", "boom"})
local ask = expect.receive({"may_start", "q"})
local r1, r2 = otp.alias(), otp.alias()     -- the wire protocol: these calls
otp.send(sup, {"$gen_call", {me, r1}, "which_children"})   -- come before the retry
otp.send(sup, {"$gen_call", {me, r2}, "count_children"})
otp.send(ask[3], {"answer", "nope"})
expect.eq(expect.receive({r1})[2][2].pid, "restarting")
expect.eq(expect.receive({r2})[2], {specs = 2, active = 1, supervisors = 0, workers = 2})
otp.send(expect.receive({"may_start", "q"})[3], {"answer", "ok"})
expect.receive({"init", "q"})
expect.eq(ds.count_children(sup), {specs = 2, active = 2, supervisors = 0, workers = 2})

-- restart 4 is one too many
local last = pids(sup)
otp.send(last[1], {"die", "boom"})
expect.eq(expect.receive({"EXIT", sup}), {"EXIT", sup, "shutdown"})
for _, pid in ipairs(last) do expect.dead(pid) end
expect.no_message(nil, 0)
