-- C4: which_children lists the children newest first (reverse start order)
-- as {id=, pid=pid|"undefined"|"restarting", type=, modules=};
-- count_children gives {specs=, active=, supervisors=, workers=} where
-- active counts only children whose pid is alive NOW: a child that died
-- without the supervisor noticing (it unlinked itself first) is still
-- listed by which_children but not active. Checked against Erlang/OTP 25:
-- [{specs,3},{active,2},{supervisors,1},{workers,2}].
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()

local function start(name)
  local sup = otp.self()
  return otp.spawn_link(function()
    otp.send(me, {"init", name})
    local m = otp.receive()
    if m[1] == "unlink and die" then
      otp.unlink(sup)
      otp.exit("boom")
    end
  end)
end

local sup = assert(supervisor.start_link{children = {
  {id = "a", start = {start, "a"}},
  {id = "s", start = {supervisor, {children = {}}}, type = "supervisor"},
  {id = "b", start = {start, "b"}, modules = {"my_worker"}},
  {id = "c", start = {start, "c"}, type = "worker"},
}})
expect.receive({"init", "a"})
expect.receive({"init", "b"})
expect.receive({"init", "c"})
expect.eq(supervisor.terminate_child(sup, "c"), true)

local kids = supervisor.which_children(sup)
local pid = {}
for _, k in ipairs(kids) do pid[k.id] = k.pid end
expect.eq(kids, {
  {id = "c", pid = "undefined", type = "worker", modules = {}},
  {id = "b", pid = pid.b, type = "worker", modules = {"my_worker"}},
  {id = "s", pid = pid.s, type = "supervisor", modules = {"otp.supervisor"}},
  {id = "a", pid = pid.a, type = "worker", modules = {}},
})
expect.eq(supervisor.which_children(pid.s), {})
expect.eq(supervisor.count_children(sup), {specs = 4, active = 3, supervisors = 1, workers = 3})

-- a dies behind the supervisor's back: still listed, no longer active
local ref = otp.monitor(pid.a)
otp.send(pid.a, {"unlink and die"})
expect.eq(expect.receive({"DOWN", ref})[5], "boom")
expect.eq(supervisor.which_children(sup)[4], {id = "a", pid = pid.a, type = "worker", modules = {}})
expect.eq(supervisor.count_children(sup), {specs = 4, active = 2, supervisors = 1, workers = 3})
expect.no_message(nil, 0)
