-- C12: how the supervisor stops one child (terminate_child here; the same
-- procedure serves restarts and shutdowns): it monitors the child, then
--   brutal_kill  exit(pid, "kill")
--   T ms         exit(pid, "shutdown"), waits T ms for the DOWN, then kill
--   infinity     exit(pid, "shutdown") and waits as long as it takes
-- It waits on the monitor, not on the link (a child that unlinked itself
-- cannot hang it), then unlinks and flushes the child's EXIT, so stopping
-- a child never causes a restart, whatever reason it ends with.
-- Default shutdown: 5000 for a worker, "infinity" for a supervisor.
-- The sleeps are the scenario: children slow to stop.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()

-- A child that traps exits and, on "shutdown", waits `delay` ms (nil:
-- forever) then exits with `reason` (default: the signal's reason).
local function start(name, delay, reason)
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"got", name, m[3]})
    if delay == nil then otp.receive({"never"}) end
    if delay > 0 then otp.sleep(delay) end
    otp.exit(reason or m[3])
  end)
end

local function plain(name)          -- does not trap: dies of the signal
  local sup = otp.self()
  return otp.spawn_link(function()
    otp.send(me, {"init", name})
    local m = otp.receive({"unlink"})
    otp.unlink(sup)
    otp.send(me, {"unlinked", name})
    otp.receive({"never"})
  end)
end

local sup = assert(supervisor.start_link{intensity = 0, children = {
  {id = "brutal", start = {start, "brutal", nil}, shutdown = "brutal_kill"},
  {id = "stubborn", start = {start, "stubborn", nil}, shutdown = 100},
  {id = "slow", start = {start, "slow", 150}, shutdown = "infinity"},
  {id = "odd", start = {start, "odd", 0, "boom"}},
  {id = "loner", start = {plain, "loner"}},
}})
for _, n in ipairs({"brutal", "stubborn", "slow", "odd", "loner"}) do expect.receive({"init", n}) end

local function status(id)
  for _, c in ipairs(supervisor.which_children(sup)) do
    if c.id == id then return c.pid end
  end
end

local trace = otp.trace.start{kinds = {"sup_terminate_child", "sup_restart", "sup_start_child"}, to = me}
local function terminate(id)
  local t0 = otp.monotonic_time()
  expect.eq(supervisor.terminate_child(sup, id), true)
  local ms = otp.monotonic_time() - t0
  local ev = expect.receive({"trace"}, 1000)[2]
  return {ev.kind, ev.id, ev.reason}, ms
end

-- brutal_kill: killed at once, the child never sees an EXIT
local ev = terminate("brutal")
expect.eq(ev, {"sup_terminate_child", "brutal", "killed"})

-- 100 ms: the child gets shutdown, ignores it, is killed 100 ms later
local ev2, ms2 = terminate("stubborn")
expect.eq(ev2, {"sup_terminate_child", "stubborn", "killed"})
expect.eq(expect.receive({"got"}), {"got", "stubborn", "shutdown"})
expect.truthy(ms2 >= 95 and ms2 < 1000, "killed after its 100 ms, took " .. ms2)

-- infinity: the supervisor waits the 150 ms the child takes
local ev3, ms3 = terminate("slow")
expect.eq(ev3, {"sup_terminate_child", "slow", "shutdown"})
expect.eq(expect.receive({"got"}), {"got", "slow", "shutdown"})
expect.truthy(ms3 >= 145 and ms3 < 1000, "waited for the child, took " .. ms3)

-- a child that ends with another reason: not a restart (intensity 0 would
-- shut the supervisor down), the child stays stopped
local ev4 = terminate("odd")
expect.eq(ev4, {"sup_terminate_child", "odd", "boom"})
expect.eq(expect.receive({"got"}), {"got", "odd", "shutdown"})

-- a child that unlinked itself: the monitor still sees it go
otp.send(status("loner"), {"unlink"})
expect.receive({"unlinked", "loner"})
local ev5 = terminate("loner")
expect.eq(ev5, {"sup_terminate_child", "loner", "shutdown"})

local st = {}
for _, c in ipairs(supervisor.which_children(sup)) do st[c.id] = c.pid end
expect.eq(st, {brutal = "undefined", stubborn = "undefined", slow = "undefined",
               odd = "undefined", loner = "undefined"})
expect.alive(sup)
trace:stop()

-- default shutdown values
local s2 = assert(supervisor.start_link{children = {
  {id = "w", start = {plain, "w"}},
  {id = "s", start = {supervisor, {children = {}}}, type = "supervisor"},
}})
expect.receive({"init", "w"})
local w = supervisor.get_childspec(s2, "w")
expect.eq(w, {id = "w", start = {otp._, "w"}, restart = "permanent",
  shutdown = 5000, type = "worker", significant = false, modules = {}})
expect.eq(type(w.start[1]), "function", "the start function, copied back to the caller")
expect.eq(supervisor.get_childspec(s2, "s").shutdown, "infinity")
expect.no_message(nil, 0)
