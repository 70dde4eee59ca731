-- The chaos soak (`make soak`, and 30 s of it in `make test` under ASan):
--
--   otplab run tests/soak/chaos.lua [--seconds N=600] [--seed S] [--branches B=12]
--
-- Against a large supervision tree (tree.lua), for N seconds: a killer ends
-- random processes of the tree (kill, shutdown, {shutdown, _}, crashes), a
-- caller keeps calling its counters, a flooder sends bursts of messages, a
-- sandboxer creates sandboxes (with their own trees, memory bombs and busy
-- loops) and destroys them, a tracer starts trace sessions and drops them
-- (stopped, or abandoned by an owner that dies). Progress every 10 s.
-- Then the chaos stops and the run passes only if, within bounded waits:
--   * the tree is whole: every supervisor has all its children alive and
--     every counter answers a call;
--   * no sandbox, trace session or stray process is left;
--   * the node's memory after a full collection is back within MARGIN of
--     the baseline taken (after a warm-up round) before the chaos began.
-- Any failure raises, so otplab exits 1; a crash of otplab is a failure too.

local otp = require "otp"
local gen_server = require "otp.gen_server"
local sandbox = require "otp.sandbox"
local counter = require "otp.demo.counter"
local here = arg[0]:match("^(.*)/[^/]*$") or "."
local tree = assert(loadfile(here .. "/tree.lua"))()

local opts = {seconds = 600, seed = nil, branches = 12, counters = 4, nested = 3}
for i = 1, #arg, 2 do
  local key, v = arg[i]:match("^%-%-(%a+)$"), math.tointeger(tonumber(arg[i + 1]))
  if not key or not v or opts[key] == nil and key ~= "seed" then
    error("usage: chaos.lua [--seconds N] [--seed S] [--branches B]", 0)
  end
  opts[key] = v
end
opts.seed = opts.seed or otp.system_time("microsecond") % 1000000007
local MARGIN = 2 << 20     -- bytes the node may hold beyond its baseline at the end
local SETTLE_MS = 15000    -- how long the tree may take to be whole again

local stderr = io.stderr
local function say(fmt, ...) stderr:write(string.format(fmt, ...), "\n") end
otp.log_level("none")      -- thousands of crash reports are the point, not news
otp.trap_exit(true)
math.randomseed(opts.seed)

local root = assert(otp.supervisor.start_link(tree.spec(opts)))
local me = otp.self()
local stats = {kills = 0, calls = 0, call_exits = 0, messages = 0, sandboxes = 0,
               bombs = 0, traces = 0, abandoned = 0}

---------------------------------------------------------------------------
-- The chaos actors: each loops until told to stop, counting what it did
---------------------------------------------------------------------------

local function stopping() return otp.receive({"stop"}, 0) ~= nil end
local function report(name, counts) otp.send(me, {"counts", name, counts}) end

local function killer(seed)
  math.randomseed(seed)
  local n, victims = 0, {}
  local reasons = {"kill", "kill", "shutdown", {"shutdown", "soak"}, "boom", "crash"}
  while not stopping() do
    if #victims == 0 or n % 20 == 0 then victims = tree.walk(root) or {} end
    local v = victims[math.random(math.max(#victims, 1))]
    if v and type(v.pid) ~= "string" then
      local reason = reasons[math.random(#reasons)]
      if reason == "crash" and v.type == "worker" then
        gen_server.cast(v.pid, "reset")
        pcall(gen_server.call, v.pid, "crash", 50)
      else
        otp.exit(v.pid, reason == "crash" and "kill" or reason)
      end
      n = n + 1
    end
    otp.sleep(math.random(1, 8))
  end
  report("killer", {kills = n})
end

local function caller(seed)
  math.randomseed(seed)
  local ok_n, exits = 0, 0
  while not stopping() do
    local all = tree.walk(root) or {}
    for _ = 1, 20 do
      local c = all[math.random(math.max(#all, 1))]
      if c and c.type == "worker" and type(c.pid) ~= "string" then
        if pcall(gen_server.call, c.pid, "next", 200) then ok_n = ok_n + 1 else exits = exits + 1 end
      end
    end
    otp.yield()
  end
  report("caller", {calls = ok_n, call_exits = exits})
end

local function flooder(seed)
  math.randomseed(seed)
  local n = 0
  local sink = otp.spawn(function() while true do otp.receive() end end)
  local dead = otp.spawn(function() end)
  while not stopping() do
    local all = tree.walk(root) or {}
    local burst = {k = {1, 2, {3, "x"}}, s = string.rep("m", math.random(1, 2000))}
    for _ = 1, 200 do otp.send(sink, burst) end
    for _ = 1, 50 do otp.send(dead, burst) end
    for _ = 1, 20 do
      local c = all[math.random(math.max(#all, 1))]
      if c and type(c.pid) ~= "string" then otp.send(c.pid, {"soak_noise", burst}) end
    end
    n = n + 270
    otp.sleep(math.random(1, 20))
  end
  otp.exit(sink, "kill")
  report("flooder", {messages = n})
end

local function sandboxer(seed)
  math.randomseed(seed)
  local made, bombs = 0, 0
  local live = {}
  while not stopping() do
    local name = "soak_" .. made
    local spec = {strategy = "one_for_all", intensity = 2, period = 1, children = {
      {id = "c1", start = {gen_server.start_link, counter, 1}},
      {id = "c2", start = {gen_server.start_link, counter, 2}},
    }}
    if sandbox.create(name, {max_memory = 8 << 20, max_processes = 40,
                             max_reductions = 2000000, start = spec}) then
      made = made + 1
      live[#live + 1] = name
      if math.random(2) == 1 then
        sandbox.spawn(name, function()
          local t = {}
          while true do t[#t + 1] = string.rep("b", 4096) .. #t end
        end)
        bombs = bombs + 1
      end
      sandbox.spawn(name, function() while true do end end)
      for _ = 1, math.random(0, 30) do sandbox.spawn(name, function() otp.receive() end) end
      sandbox.run(name, function(x) return x * 2 end, made)
    end
    otp.sleep(math.random(5, 40))
    if #live >= 3 or (#live > 0 and math.random(2) == 1) then
      local victim = table.remove(live, math.random(#live))
      if math.random(4) == 1 then sandbox.restart(victim, math.random(0, 50)) end
      sandbox.destroy(victim, math.random(0, 100))
    end
  end
  for _, name in ipairs(live) do sandbox.destroy(name, 100) end
  report("sandboxer", {sandboxes = made, bombs = bombs})
end

local function tracer(seed)
  math.randomseed(seed)
  local started, abandoned = 0, 0
  local kinds = {{"send", "receive"}, {"exit", "spawn"}, {"sup_restart", "down"}, nil}
  while not stopping() do
    local o = {pids = "all", kinds = kinds[math.random(4)], max_events = math.random(10, 5000)}
    if math.random(3) == 1 then
      abandoned = abandoned + 1          -- a session whose owner dies with it running
      local owner = otp.spawn(function(topts)
        otp.trace.start(topts)
        otp.receive(nil, 30)
      end, o)
      local ref = otp.monitor(owner)
      otp.receive({"DOWN", ref})
    else
      local s = otp.trace.start(o)
      otp.sleep(math.random(1, 30))
      local events = s:events()
      if math.random(2) == 1 then s:analyze() end
      s:stop()
      assert(type(events) == "table")
    end
    started = started + 1
  end
  report("tracer", {traces = started, abandoned = abandoned})
end

local ACTORS = {killer = killer, caller = caller, flooder = flooder, sandboxer = sandboxer,
                tracer = tracer}
local ORDER = {"killer", "caller", "flooder", "sandboxer", "tracer"}

---------------------------------------------------------------------------
-- Memory: the node's total after full collections
---------------------------------------------------------------------------

local function settled_memory()
  for _ = 1, 3 do collectgarbage("collect") end
  return otp.memory("total")
end

-- Waits (bounded) until fn() is truthy; returns its last answer.
local function within(ms, fn)
  local deadline = otp.monotonic_time() + ms
  local ok, why = fn()
  while not ok and otp.monotonic_time() < deadline do
    otp.sleep(50)
    ok, why = fn()
  end
  return ok, why
end

local function check_whole(when)
  local ok, why = within(SETTLE_MS, function() return tree.whole(root, opts) end)
  if not ok then error(string.format("soak: the tree is not whole %s: %s", when, why), 0) end
end

local function run_chaos(ms, seed)
  local pids = {}
  for k, name in ipairs(ORDER) do
    local pid, ref = otp.spawn_monitor(ACTORS[name], seed + k)
    pids[name] = {pid = pid, ref = ref}
  end
  return pids, function()
    for _, name in ipairs(ORDER) do otp.send(pids[name].pid, {"stop"}) end
    for _, name in ipairs(ORDER) do
      local m = otp.receive(function(msg)
        return type(msg) == "table" and (msg[1] == "counts" and msg[2] == name or
                                         msg[1] == "DOWN" and msg[2] == pids[name].ref)
      end, 30000)
      if not m then error("soak: the " .. name .. " did not stop within 30 s", 0) end
      if m[1] == "DOWN" then
        error(string.format("soak: the %s crashed: %s", name, otp.inspect(m[5])), 0)
      end
      for k, v in pairs(m[3]) do stats[k] = stats[k] + v end
      otp.receive({"DOWN", pids[name].ref}, 5000)
    end
  end
end

---------------------------------------------------------------------------
-- The run
---------------------------------------------------------------------------

say("soak: seed %d, %d s, a tree of %d processes", opts.seed, opts.seconds,
    1 + opts.branches * (1 + opts.counters + 1 + opts.nested))
check_whole("at the start")
local _, stop_warmup = run_chaos(0, opts.seed)   -- a warm-up round: caches, interned strings
otp.sleep(500)
stop_warmup()
check_whole("after the warm-up")
for k in pairs(stats) do stats[k] = 0 end
local procs0 = #otp.processes()
local baseline = settled_memory()
say("soak: baseline %d processes, %.1f MB", procs0, baseline / 1048576)

local t0 = otp.monotonic_time()
local deadline = t0 + opts.seconds * 1000
local _, stop = run_chaos(opts.seconds * 1000, opts.seed * 7)
local next_report = t0 + 10000
while otp.monotonic_time() < deadline do
  local crashed = otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" end,
                              math.min(deadline, next_report) - otp.monotonic_time())
  if crashed then error("soak: a chaos actor crashed: " .. otp.inspect(crashed[5]), 0) end
  if otp.monotonic_time() >= next_report then
    next_report = next_report + 10000
    say("soak: %d/%d s, %d processes, %d sandboxes, %.1f MB", 
        (otp.monotonic_time() - t0) // 1000, opts.seconds, #otp.processes(),
        #sandbox.list(), otp.memory("total") / 1048576)
  end
end
stop()
local chaos_s = (otp.monotonic_time() - t0) / 1000

check_whole("after the chaos")
local left = sandbox.list()
if #left > 0 then error("soak: sandboxes left: " .. table.concat(left, ", "), 0) end
local procs1
within(5000, function()
  procs1 = #otp.processes()
  return procs1 <= procs0
end)
if procs1 > procs0 then
  error(string.format("soak: %d processes at the end, %d before", procs1, procs0), 0)
end
local final = settled_memory()
say("soak: done: %.0f s of chaos, %d kills, %d calls (%d exits), %d messages, %d sandboxes "
    .. "(%d memory bombs), %d trace sessions (%d abandoned); memory %.2f MB before, "
    .. "%.2f MB after (%+d KB); the tree is whole",
    chaos_s, stats.kills, stats.calls, stats.call_exits, stats.messages, stats.sandboxes,
    stats.bombs, stats.traces, stats.abandoned, baseline / 1048576, final / 1048576,
    (final - baseline) // 1024)
if final > baseline + MARGIN then
  error(string.format("soak: the node holds %d KB more than its baseline (margin %d KB)",
                      (final - baseline) // 1024, MARGIN // 1024), 0)
end
