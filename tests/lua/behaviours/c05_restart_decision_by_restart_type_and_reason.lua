-- C5: what happens when a child exits with reason R:
--   permanent  always restarted
--   transient  restarted unless R is "normal", "shutdown" or {"shutdown", _}
--              ("killed" is abnormal: restarted); otherwise kept as "undefined"
--   temporary  never restarted, and its spec is deleted
-- Also checked in the trace: one sup_restart per restart, with the reason.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()

local function start()
  return otp.spawn_link(function()
    local m = otp.receive({"die"})
    otp.exit(m[2])
  end)
end

local sup = assert(supervisor.start_link{intensity = 100, children = {}})
local reasons = {"normal", "shutdown", {"shutdown", "x"}, "killed", "boom"}

local function pid_of(id)
  for _, c in ipairs(supervisor.which_children(sup)) do
    if c.id == id then return c.pid end
  end
  return "gone"
end

local trace = otp.trace.start{kinds = {"sup_restart"}, to = me}
local outcome, restarts = {}, {}
for _, restart in ipairs({"permanent", "transient", "temporary"}) do
  outcome[restart] = {}
  for i, reason in ipairs(reasons) do
    local id = restart .. i
    local pid = assert(supervisor.start_child(sup, {id = id, start = {start}, restart = restart}))
    local ref = otp.monitor(pid)
    if reason == "killed" then otp.exit(pid, "kill") else otp.send(pid, {"die", reason}) end
    expect.eq(expect.receive({"DOWN", ref})[5], reason)
    local now = pid_of(id)            -- the call comes after the EXIT
    if now == "gone" or now == "undefined" then outcome[restart][i] = now
    elseif now ~= pid then outcome[restart][i] = "restarted"
    else outcome[restart][i] = "same pid?" end
    if outcome[restart][i] == "restarted" then
      local ev = expect.receive({"trace"}, 1000)[2]
      restarts[#restarts + 1] = {ev.id, ev.reason, ev.old_pid == pid, ev.new_pid == now,
                                 ev.strategy}
    end
  end
end
trace:stop()

--                normal       shutdown     {shutdown,x}  killed       boom
expect.eq(outcome, {
  permanent = {"restarted", "restarted", "restarted", "restarted", "restarted"},
  transient = {"undefined", "undefined", "undefined", "restarted", "restarted"},
  temporary = {"gone", "gone", "gone", "gone", "gone"},
})
expect.eq(restarts, {
  {"permanent1", "normal", true, true, "one_for_one"},
  {"permanent2", "shutdown", true, true, "one_for_one"},
  {"permanent3", {"shutdown", "x"}, true, true, "one_for_one"},
  {"permanent4", "killed", true, true, "one_for_one"},
  {"permanent5", "boom", true, true, "one_for_one"},
  {"transient4", "killed", true, true, "one_for_one"},
  {"transient5", "boom", true, true, "one_for_one"},
})
expect.eq(supervisor.count_children(sup), {specs = 10, active = 7, supervisors = 0, workers = 10})
expect.no_message(nil, 0)
