-- destroy of a sandbox started from a supervisor spec shuts the tree down
-- the OTP way (rule C13): the children, which trap exits, receive
-- "shutdown" one at a time in reverse start order and report
-- {"terminating", id} to a host pid they were given, before exiting. Then
-- everything of the sandbox is dead, and host processes linked to or
-- monitoring sandbox processes get their EXIT / DOWN.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()
otp.trap_exit(true)

-- The child's start function; it crosses into the sandbox with the spec.
local function reporting_child(id, host)
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(host, {"started", id, otp.self()})
    local m = otp.receive({"EXIT"})
    otp.send(host, {"terminating", id, m[3]})
    otp.exit(m[3])
  end)
end

local ids = {"first", "second", "third"}
local children = {}
for i, id in ipairs(ids) do
  children[i] = {id = id, start = {reporting_child, id, me}, shutdown = 1000}
end
expect.eq(sandbox.create("sbx_tree", {start = {strategy = "one_for_one", children = children}}),
          true)

-- create returns when the supervisor has started its children (C1); each
-- child is a plain spawn_link, not a synchronous start, so its own
-- "started" report may come just after: wait for each one
local pids = {}
for _, id in ipairs(ids) do
  local m = expect.receive({"started", id}, 1000, id .. " reports that it started")
  pids[id] = m[3]
end
local sup = sandbox.info("sbx_tree").root
expect.alive(sup)
expect.eq(otp.process_info(sup, "sandbox"), "sbx_tree")
local everything = sandbox.run("sbx_tree", function()
  local list = {}
  for _, p in ipairs(otp.processes()) do
    if p ~= otp.self() then list[#list + 1] = p end
  end
  return list
end)
expect.eq(#everything, 5, "keeper, supervisor, three children")

-- host processes watching the tree: a link to "first", a monitor on "second"
otp.link(pids.first)
local mref = otp.monitor(pids.second)
local sup_ref = otp.monitor(sup)

expect.eq(sandbox.destroy("sbx_tree"), true)

local seen = {}
for i = 1, 3 do
  local m = expect.receive({"terminating"})
  seen[i] = {m[2], m[3]}
end
expect.eq(seen, {{"third", "shutdown"}, {"second", "shutdown"}, {"first", "shutdown"}},
          "children stop one at a time, newest first, with reason shutdown")

expect.eq(expect.receive({"EXIT", pids.first}), {"EXIT", pids.first, "shutdown"},
          "the linked host process gets the child's EXIT")
expect.eq(expect.receive({"DOWN", mref}), {"DOWN", mref, "process", pids.second, "shutdown"},
          "the monitoring host process gets the child's DOWN")
expect.eq(expect.receive({"DOWN", sup_ref})[5], "shutdown", "the supervisor exits shutdown")
for _, p in ipairs(everything) do expect.dead(p) end
expect.eq({sandbox.info("sbx_tree")}, {nil, "not_found"})
expect.no_message({"terminating"})
