-- A supervisor whose worker lives on another node (a peer started with
-- otp.peer; the worker is spawned there and linked to the supervisor). A
-- partition cuts the node away for 3 s: the link breaks with the
-- connection, so the supervisor gets the worker's exit "noconnection" (A5
-- across nodes) and restarts the permanent child (C5). While the partition
-- lasts its start cannot reach the node and returns nil, "noconnection";
-- each failed start is tried again and counts toward the intensity (C10),
-- so the third count within 5 s shuts the supervisor down (C9): its local
-- sibling is terminated with "shutdown" and it exits "shutdown" (C13). On
-- the other node the worker died of noconnection too (its name is gone).
-- After the heal a new tree runs its worker there again. Every wait for b is
-- a wait for one message, so the events are the same in every run.
local expect, sup = otp.expect, otp.supervisor
assert(otp.net_kernel.start())        -- `otplab test` runs scenarios without --sname
otp.trap_exit(true)
local b = otp.peer.start_link{name = otp.peer.random_name("sup_b")}

local function start_remote()          -- like an erpc call to the node: fails if it is cut off
  local ok, pid = pcall(otp.spawn_on, b, function()
    otp.register("remote_worker", otp.self())
    otp.receive()
  end)
  if not ok then return nil, "noconnection" end
  otp.link(pid)
  return pid
end
local function tree()
  return sup.start_link{strategy = "one_for_one", intensity = 2, period = 5, children = {
    {id = "cache", start = {function() return otp.spawn_link(otp.receive) end}},
    {id = "remote", start = {start_remote}},
  }}
end
local function child(root, id)
  for _, c in ipairs(sup.which_children(root)) do
    if c.id == id then return c.pid end
  end
end

local session = otp.trace.start{kinds = {"sup_start_child", "sup_restart", "sup_shutdown",
                                         "sup_terminate_child"}}
local root = tree()
local worker, cache = child(root, "remote"), child(root, "cache")
expect.truthy(tostring(worker):match("^<[1-9]%d*%."), "the worker is a pid of the other node")

expect.eq(otp.disconnect(b, {block_ms = 3000}), true)
expect.receive(otp.match{"EXIT", root, "shutdown"}, 5000)
expect.events(session, {
  {kind = "sup_start_child", id = "cache", child = cache},
  {kind = "sup_start_child", id = "remote", child = worker},
  {kind = "sup_start_child", id = "remote", reason = "noconnection"},
  {kind = "sup_restart", id = "remote", old_pid = worker, reason = "noconnection"},
  {kind = "sup_start_child", id = "remote", reason = "noconnection"},
  {kind = "sup_restart", id = "remote", old_pid = worker, reason = "noconnection"},
  {kind = "sup_shutdown", id = "remote", reason = "reached_max_restart_intensity"},
  {kind = "sup_terminate_child", id = "cache", child = cache, reason = "shutdown"},
})
expect.dead(cache)
expect.eq(#otp.analytics.restart_history(root), 2)   -- the two tries, both failed

otp.sleep(3500)                        -- past the block (real time: a peer is running)
expect.eq(otp.connect(b), true)
local gone = otp.monitor({"remote_worker", b})
local down = expect.receive(otp.match{"DOWN", gone}, 5000)
expect.eq(down[5], "noproc")           -- the worker died on its side of the partition too

local again = tree()
expect.truthy(tostring(child(again, "remote")):match("^<[1-9]%d*%."))
-- killed, not shut down: an orderly shutdown would wait for the worker's
-- EXIT and DOWN, two messages from b whose arrival in one read or two
-- would change the events from run to run
otp.exit(again, "kill")
expect.receive(otp.match{"EXIT", again, "killed"}, 5000)
session:stop()
expect.eq(otp.peer.stop(b), true)
