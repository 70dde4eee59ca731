-- C15: what the API calls return (Erlang's {error, R} is nil, R):
--   start_child    running id: {"already_started", pid}; stopped id:
--                  "already_present"; a bad spec: the spec error; a failed
--                  start: {reason, child_spec}
--   terminate_child  true (also when already stopped); a temporary child's
--                  spec is removed; unknown id: "not_found"
--   restart_child  only for a stopped child (not counted in the intensity):
--                  true, pid; else "running" | "restarting" | "not_found"
--   delete_child   true only for a stopped child; else "running" |
--                  "restarting" | "not_found"
--   get_childspec  the spec, or "not_found"
-- Checked against Erlang/OTP 25 (same scenario, same answers).
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()

local calls = {}
local function start(name, fail)
  calls[name] = (calls[name] or 0) + 1
  if fail == "error" then error("oops") end
  if fail == "later" then fail = calls[name] > 1 and "nope" or nil end
  if fail then
    otp.send(me, {"start failed", name})
    return nil, fail
  end
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stop", name, m[3]})
    otp.exit(m[3])
  end)
end

local function spec(id, extra)
  local s = {id = id, start = {start, id, extra and extra.fail}}
  for k, v in pairs(extra or {}) do if k ~= "fail" then s[k] = v end end
  return s
end

local sup = assert(supervisor.start_link{intensity = 0, children = {
  spec("a"), spec("t", {restart = "temporary"}),
}})
expect.receive({"init", "a"})
expect.receive({"init", "t"})
local a = supervisor.which_children(sup)[2].pid

-- start_child
expect.eq({supervisor.start_child(sup, spec("a"))}, {nil, {"already_started", a}})
local _, e = supervisor.start_child(sup, spec("x", {fail = "boom"}))
expect.eq(e, {"boom", {id = "x", start = {otp._, "x", "boom"}, restart = "permanent",
  shutdown = 5000, type = "worker", significant = false, modules = {}}})
expect.receive({"start failed", "x"})
local _, e2 = supervisor.start_child(sup, spec("y", {fail = "error"}))
expect.eq(e2[1], {"EXIT", {"error", otp._, otp._}})
expect.eq({supervisor.start_child(sup, spec("z", {shutdown = -1}))}, {nil, {"invalid_shutdown", -1}})
expect.eq({supervisor.start_child(sup, {start = {start}})}, {nil, "missing_id"})
expect.eq(#supervisor.which_children(sup), 2, "failed starts leave nothing behind")

-- terminate_child
expect.eq(supervisor.terminate_child(sup, "t"), true)
expect.eq({supervisor.terminate_child(sup, "t")}, {nil, "not_found"}, "temporary: spec removed")
expect.eq(supervisor.terminate_child(sup, "a"), true)
expect.eq(supervisor.terminate_child(sup, "a"), true, "already stopped: still ok")
expect.eq({supervisor.start_child(sup, spec("a"))}, {nil, "already_present"})

-- restart_child (intensity is 0: a counted restart would be fatal)
local ok, pid = supervisor.restart_child(sup, "a")
expect.eq(ok, true)
expect.truthy(otp.is_alive(pid) and pid ~= a)
expect.eq({supervisor.restart_child(sup, "a")}, {nil, "running"})
expect.eq({supervisor.restart_child(sup, "zz")}, {nil, "not_found"})

-- delete_child, get_childspec
expect.eq({supervisor.delete_child(sup, "a")}, {nil, "running"})
expect.eq({supervisor.delete_child(sup, "zz")}, {nil, "not_found"})
expect.eq({supervisor.terminate_child(sup, "zz")}, {nil, "not_found"})
expect.eq({supervisor.get_childspec(sup, "zz")}, {nil, "not_found"})
expect.eq(supervisor.terminate_child(sup, "a"), true)
expect.eq(supervisor.delete_child(sup, "a"), true)
expect.eq(supervisor.which_children(sup), {})
expect.eq({supervisor.get_childspec(sup, "a")}, {nil, "not_found"})

-- a start error from restart_child is returned as it is
assert(supervisor.start_child(sup, spec("r", {fail = "later"})))
expect.eq(supervisor.terminate_child(sup, "r"), true)
expect.eq({supervisor.restart_child(sup, "r")}, {nil, "nope"})
expect.eq(supervisor.which_children(sup)[1].pid, "undefined")
expect.alive(sup)

local events = {}
for i = 1, 7 do events[i] = expect.receive(nil, 1000) end
expect.eq(events, {
  {"stop", "t", "shutdown"}, {"stop", "a", "shutdown"}, {"init", "a"},
  {"stop", "a", "shutdown"}, {"init", "r"}, {"stop", "r", "shutdown"},
  {"start failed", "r"},
})
expect.no_message(nil, 0)
