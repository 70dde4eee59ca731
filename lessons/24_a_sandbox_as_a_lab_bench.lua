-- Lesson 24: A sandbox as a lab bench
-- a leaky worker in a memory-capped sandbox, a supervisor giving up, destroy, and a live code upgrade.
local lesson, expect = otp.lesson, otp.expect
lesson.title("A sandbox as a lab bench")
local sandbox = otp.sandbox
local say = lesson.say

-- A worker that keeps everything it is sent, and a feeder that never stops.
local leaky = {}
function leaky.init() return "ok", {} end
function leaky.handle_cast(chunk, kept) kept[#kept + 1] = chunk; return "noreply", kept end

local me = otp.self()
local tree = {strategy = "one_for_one", intensity = 2, period = 10, children = {
  {id = "leaky", start = {function()
    local pid = otp.gen_server.start_link(leaky, nil, {name = "leaky"})
    otp.send(me, {"started", pid})
    return pid
  end}}}}

local kills = 0           -- the limit_killed events of step 1, checked in step 2
lesson.step("A leaky worker in a memory-capped sandbox, under a supervisor (intensity 2 in 10 s)", function()
  local session = otp.trace.start{kinds = {"limit_killed", "sup_restart", "sup_shutdown"}}
  assert(sandbox.create("lab", {start = tree, max_memory = 4 << 20}))
  expect.eq(sandbox.info("lab").processes, 3)
  say("sandbox 'lab' runs its root (which, like OTP's application master, is the")
  say("supervisor's parent), the supervisor and its worker: %d processes, %d KB",
      sandbox.info("lab").processes, sandbox.info("lab").memory // 1024)

  -- Feed each incarnation of the worker until the cap stops it.
  local sup = sandbox.info("lab").root
  local watch = otp.monitor(sup)
  local chunk = string.rep("x", 64 * 1024)
  for incarnation = 1, 3 do
    local pid = otp.receive(otp.match{"started"})[2]
    local ref = otp.monitor(pid)
    local down
    repeat otp.gen_server.cast(pid, chunk); down = otp.receive(otp.match{"DOWN", ref}, 0) until down
    expect.eq(down[5], {"limit", "max_memory"}, "a sandbox limit kill says which limit")
    say("  %d. the worker %s was killed by the sandbox's max_memory: reason %s", incarnation,
        tostring(pid), otp.inspect(down[5]))
  end
  local down = otp.receive(otp.match{"DOWN", watch})
  expect.eq(down[5], "shutdown", "the supervisor gives up with shutdown (rule C9)")
  say("after 3 kills in 10 s the supervisor gave up: it exited with %q", down[5])
  expect.events(session, {{kind = "limit_killed"}, {kind = "sup_restart"}, {kind = "limit_killed"},
    {kind = "sup_restart"}, {kind = "limit_killed"}, {kind = "sup_shutdown"}})
  for _, e in ipairs(session:events()) do
    say("   %-13s %s", e.kind, e.limit or e.id or e.reason or "")
    if e.kind == "limit_killed" then kills = kills + 1 end
  end
  session:stop()
  return {sandbox = sandbox}
end)

lesson.step("Destroying the sandbox gives everything back", function()
  -- Every kill the sandbox counts is one it traced: the three that used up
  -- the budget (and one more if a restart itself hit the cap).
  -- The root follows its supervisor out once it has seen the EXIT (the
  -- supervisor's DOWN can reach us first), so wait for it.
  local info = expect.eventually(function()
    local i = sandbox.info("lab")
    return i.processes == 0 and i
  end, 5000, "the root, the supervisor and its workers are gone")
  expect.eq(info.limit_kills, kills, "limit_kills counts every limit_killed event")
  expect.truthy(info.limit_kills >= 3, "three workers were killed by the cap")
  say("info: %d limit kills, %d processes left, %d KB in its state",
      info.limit_kills, info.processes, info.memory // 1024)
  local before = otp.memory("total")
  sandbox.destroy("lab")
  expect.truthy(before - otp.memory("total") > 0)
  expect.eq(sandbox.info("lab"), nil)
  say("destroyed: the node gave back %d KB, the sandbox's whole state",
      (before - otp.memory("total")) // 1024)
end)

lesson.step("A live code upgrade inside a sandbox", function()
  -- Hot code loading: a counter moves from v1 to v2 and keeps its count.
  assert(sandbox.create("code"))
  otp.code.load("counter", [[
    local M = {vsn = "1"}
    function M.init() return "ok", 0 end
    function M.handle_call(_, _, n) return "reply", n + 1, n + 1 end
    return M]], {sandbox = "code"})
  local server = sandbox.run("code", function()
    return otp.gen_server.start(require "counter")
  end)
  otp.gen_server.call(server, "next")
  otp.gen_server.call(server, "next")
  otp.code.load("counter", [[
    local M = {vsn = "2"}
    function M.init() return "ok", {count = 0} end
    function M.handle_call(_, _, s) s.count = s.count + 10; return "reply", s.count, s end
    function M.code_change(old_vsn, n) return "ok", {count = n} end
    return M]], {sandbox = "code"})
  otp.sys.suspend(server)
  otp.sys.change_code(server, "counter", "1", nil)
  otp.sys.resume(server)
  local next = otp.gen_server.call(server, "next")
  expect.eq(next, 12, "code_change carried the count over")
  say("after the upgrade the count went on from 2: next -> %d", next)
  sandbox.destroy("code")
end)

-- The exercise: the learner creates "bench" with a process limit; check()
-- runs a fork bomb in a fresh sandbox with bench's limits.
local BOMB = 200
local function bomb()
  local n = 0
  while n < 200 do otp.spawn(otp.receive); n = n + 1 end
  return n
end
local function bench_check()
  local info = sandbox.info("bench")
  if info == nil then
    return false, "there is no sandbox \"bench\" yet: sandbox.create(\"bench\", {...limits...})"
  end
  if sandbox.info("bench_trial") then sandbox.destroy("bench_trial") end
  assert(sandbox.create("bench_trial", info.limits))
  local made, why = sandbox.run("bench_trial", bomb)
  local after = sandbox.info("bench_trial")
  sandbox.destroy("bench_trial")
  if made == BOMB then
    return false, "a fork bomb in a sandbox with bench's limits " .. otp.inspect(info.limits) ..
      " spawned all " .. BOMB .. " processes: nothing stopped it"
  end
  if after.processes > 10 then
    return false, "the bomb was stopped (" .. otp.inspect(why) .. "), but only after " .. after.processes ..
      " processes, more than 10"
  end
  return true
end
lesson.expose{sandbox = sandbox, bomb = bomb}
lesson.exercise("create a sandbox \"bench\" whose limits stop a fork bomb at 10 processes or fewer; " ..
  "check() runs bomb (it spawns " .. BOMB .. ") in a fresh sandbox with bench's limits",
  bench_check,
  function() assert(sandbox.create("bench", {max_processes = 10})) end)
sandbox.destroy("bench")

lesson.finish{next = "Post-mortem with a seed", try = "otp.sandbox.create(\"mine\", {max_memory = 1 << 20}); pp({otp.sandbox.run(\"mine\", function() return #string.rep(\"x\", 4 << 20) end)})"}
