-- Lesson 26: Nodes, links across nodes, a partition
-- a second node, a link across it bringing a remote crash, monitor_node, a partition's noconnection, and the heal.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Nodes, links across nodes, a partition")
local say = lesson.say
local me = otp.self()

local function remote_pid(pid)          -- <N.M.S> with N > 0: a process of another node
  return tostring(pid):match("^<[1-9]%d*%.%d+%.%d+>$") ~= nil
end

local b
lesson.step("A second node, started from this one", function()
  if otp.node() == "nonode@nohost" then
    expect.eq(otp.net_kernel.start(), true)
    say("This node had no name, so the lesson gave it one (otp.net_kernel.start(), what")
    say("`otplab lesson 26 --sname a` would have done): it is the Erlang node %s.", otp.node())
  else
    say("This node is the Erlang node %s.", otp.node())
  end
  b = otp.peer.start_link{name = otp.peer.random_name("lesson_b"),
                          args = {"--log-level", "none"}}   -- its crash reports would mix with ours
  expect.eq(otp.nodes(), {b})
  say("otp.peer.start_link started another otplab, the node %s (OTP's peer module:", b)
  say("a child OS process with this node's cookie, linked to this process); it connected")
  say("back, so otp.nodes() lists it:")
  lesson.show(otp.nodes(), "otp.nodes()")
  return {b = b}
end)

lesson.step("A process over there is a pid like any other", function()
  local echo = otp.spawn_on(b, function()
    while true do
      local m = otp.receive()
      otp.send(m.from, {"echo", m.text, otp.node()})
    end
  end)
  expect.truthy(remote_pid(echo), "a pid of the other node prints <N.M.S> with N > 0")
  otp.send(echo, {from = me, text = "hello"})
  local reply = expect.receive(otp.match{"echo"}, 5000)
  expect.eq(reply[3], b)
  say("otp.spawn_on(b, fn) ran fn on %s: its pid %s starts with the index this node", b,
      tostring(echo))
  say("gave b. A message to it crosses the connection, copied as any message is:")
  lesson.show(reply)
  otp.exit(echo, "kill")
end)

lesson.step("A link across nodes brings a remote crash (A5)", function()
  otp.trap_exit(true)
  local doomed = otp.spawn_on(b, function()
    otp.receive("crash")
    error("crashed on the other node")
  end)
  otp.link(doomed)
  otp.send(doomed, "crash")
  local exit = expect.receive(otp.match{"EXIT", doomed}, 5000)
  expect.eq(exit[3][1], "error")
  expect.truthy(exit[3][2]:find("crashed on the other node", 1, true))
  say("This process traps exits and is linked to %s on %s; it crashed there, and", tostring(doomed), b)
  say("the exit signal came over the connection as any link's does: {\"EXIT\", pid, reason}")
  say("with the reason it died of: {\"error\", %s, traceback}.",
      otp.inspect((exit[3][2]:gsub("^.*:%d+: ", ""))))
  -- without trapping, the same signal kills
  local bystander = otp.spawn(function(to)
    local victim = otp.spawn_on(to, function() otp.receive("go"); otp.exit("remote_reason") end)
    otp.link(victim)
    otp.send(victim, "go")
    otp.receive()
  end, b)
  local ref = otp.monitor(bystander)
  expect.eq(expect.receive(otp.match{"DOWN", ref}, 5000)[5], "remote_reason")
  say("A process that does not trap exits dies of it, with the same reason: \"remote_reason\".")
end)

-- Before the partition: a local guard (trapping exits, linked to a worker
-- on b, watching node b), and a survivor on b that this process monitors.
local guard, guard_worker
local survivor = otp.spawn_on(b, function()
  while true do local m = otp.receive(); otp.send(m, {"alive", otp.self()}) end
end)
local survivor_ref = otp.monitor(survivor)

lesson.step("Before the partition: a guard and a survivor", function()
  guard = otp.spawn(function(to, parent)
    otp.set_label("guard")
    otp.trap_exit(true)
    local w = otp.spawn_on(to, function() otp.register("linked_worker", otp.self()); otp.receive() end)
    otp.link(w)
    otp.monitor_node(to, true)
    otp.send(parent, {"guarding", w})
    otp.receive("never")
  end, b, me)
  guard_worker = expect.receive(otp.match{"guarding"}, 5000)[2]
  say("guard (a process here, trapping exits) is linked to linked_worker %s on b and", tostring(guard_worker))
  say("watches node b with otp.monitor_node(b, true). This process monitors survivor %s,", tostring(survivor))
  say("another process on b, without a link.")
  return {guard = guard, survivor = survivor}
end)

local function guard_saw()
  local nodedown, noconnection = false, false
  for _, m in ipairs(otp.process_info(guard, "messages") or {}) do
    if type(m) == "table" and m[1] == "nodedown" and m[2] == b then nodedown = true end
    if type(m) == "table" and m[1] == "EXIT" and m[2] == guard_worker and m[3] == "noconnection" then
      noconnection = true
    end
  end
  return nodedown, noconnection
end
local function partition_check()
  local nodedown, noconnection = guard_saw()
  if not nodedown and not noconnection then
    return false, "guard's mailbox has neither {\"nodedown\", b} nor {\"EXIT\", worker, \"noconnection\"}: "
      .. "b is still connected (otp.nodes() = " .. otp.inspect(otp.nodes()) .. ")"
  end
  if not nodedown then return false, "guard has the EXIT but no {\"nodedown\", b}" end
  if not noconnection then return false, "guard has nodedown but no EXIT noconnection from its worker" end
  return true
end
lesson.exercise("split the cluster: cut node b off for two seconds (otp.disconnect(b, {block_ms = 2000})), "
  .. "so that guard is told: its mailbox (pp(otp.process_info(guard, \"messages\"))) must hold "
  .. "{\"nodedown\", b} and {\"EXIT\", worker, \"noconnection\"}",
  partition_check,
  function() expect.eq(otp.disconnect(b, {block_ms = 2000}), true) end)

lesson.step("What the partition did", function()
  local down = expect.receive(otp.match{"DOWN", survivor_ref}, 5000)
  expect.eq(down[5], "noconnection")
  otp.disconnect(b, {block_ms = 1500})   -- whatever the block was, 1.5 s more from now
  expect.eq(otp.nodes(), {})
  expect.eq(otp.connect(b), false)
  say("A partition is a lost connection, and a lost connection is a verdict on every")
  say("link and monitor across it: guard got {\"EXIT\", worker, \"noconnection\"} (it traps")
  say("exits; without trapping it would have died), {\"nodedown\", b} from monitor_node, and")
  say("this process's monitor on survivor a DOWN with reason \"noconnection\":")
  lesson.show(down)
  say("Nobody knows whether survivor is dead: only that it cannot be reached. The lesson")
  say("keeps b out 1.5 s more: while a block lasts otp.nodes() is empty and otp.connect(b)")
  say("is false.")
end)

lesson.step("The heal, and what each side kept", function()
  local healed = false
  for _ = 1, 300 do                      -- a block of up to 30 s
    if otp.connect(b) then healed = true break end
    otp.sleep(100)
  end
  expect.truthy(healed, "b can be reached again once the block is over")
  otp.send(survivor, me)
  expect.eq(expect.receive(otp.match{"alive"}, 5000)[2], survivor)
  local gone = otp.monitor({"linked_worker", b})
  expect.eq(expect.receive(otp.match{"DOWN", gone}, 5000)[5], "noproc")
  say("The block ended and otp.connect(b) healed the cluster. survivor answers: a")
  say("monitor says nothing to the monitored side, so it lived on through the partition.")
  say("linked_worker is gone: b lost the connection too, and its end of the link brought")
  say("it noconnection, which killed it (it did not trap exits). After a partition each side")
  say("has acted on its own: a supervisor here would have restarted what it lost, and b")
  say("would not know (scenarios/remote_worker_partitioned_supervisor_gives_up.lua).")
  expect.eq(otp.peer.stop(b), true)
  say("otp.peer.stop(b): b is gone (%d nodes connected).", #otp.nodes())
end)

lesson.finish{try = "n = otp.peer.start_link{}; p = otp.spawn_on(n, function() otp.receive() end); otp.monitor_node(n, true); otp.peer.stop(n); flush()"}
