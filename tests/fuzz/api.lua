-- The Lua API fuzzer: every function of every otp module, called with
-- random arguments from host processes and from inside a sandbox, each call
-- in a process of its own that the driver can kill.
--
--   otplab run tests/fuzz/api.lua [--seed S] [--seconds N] [--calls N]
--        [--call I] [--timeout MS] [--journal FILE] [--include-known] [--list]
--
-- Call i of seed S always makes the same choice of function, place and
-- argument shapes, so `--seed S --call I` replays one call alone (and prints
-- its arguments). Run it in a scratch directory: fuzzed calls may write
-- files there (a trace session's dump). What fails the run (exit 1, with the reproducer):
--   stall       the driver could not run for STALL_MS beyond its own wait:
--               a call held the scheduler
--   unkillable  a call's process outlived exit(pid, "kill") by KILL_MS
--   unhealthy   the node stopped answering: a fresh process, a gen_server
--               call or the fuzzer's sandbox did not reply
-- A crash of otplab itself ends the run with no summary: scripts/fuzz reads
-- the journal (the call in flight) and prints it. Raw errors (misuse not
-- answered with a stable code) are counted and listed, and fail the run
-- only with --strict.

local here = arg[0]:match("^(.*)/[^/]*$") or "."
local V = assert(loadfile(here .. "/api/values.lua"))()
local body = assert(loadfile(here .. "/api/call.lua"))()
local targets = assert(loadfile(here .. "/api/targets.lua"))()

local STALL_MS, KILL_MS, BOX = 3000, 5000, "fuzzbox"

local opts = {seed = nil, seconds = 5, calls = math.maxinteger, timeout = 100}
do
  local i = 1
  while i <= #arg do
    local a, v = arg[i], arg[i + 1]
    if a == "--include-known" or a == "--strict" or a == "--list" then
      opts[a:sub(3):gsub("-", "_")] = true
      i = i + 1
    else
      local key = a:match("^%-%-(%a+)$")
      if not key or not v or not math.tointeger(tonumber(v)) and key ~= "journal" then
        error("usage: api.lua [--seed S] [--seconds N] [--calls N] [--call I] "
              .. "[--timeout MS] [--journal FILE] [--include-known] [--strict] [--list]", 0)
      end
      opts[key] = key == "journal" and v or math.tointeger(tonumber(v))
      i = i + 2
    end
  end
end
opts.seed = opts.seed or otp.system_time("microsecond") % 1000000007
local list, known = targets.enumerate(opts.include_known)
if opts.list then
  for _, path in ipairs(list) do print(path) end
  return
end

local stderr = io.stderr
local function say(fmt, ...) stderr:write(string.format(fmt, ...), "\n") end

-- Where call i goes: which function, host or sandbox. A stream of its own,
-- so that the arguments (V.rng(seed, i)) do not depend on it.
local function choose(i)
  local r = V.rng(opts.seed, -i)
  return list[r(#list)], r(3) == 1 and "sandbox" or "host"
end

---------------------------------------------------------------------------
-- The surroundings of every call: decoys to aim at, a sandbox, a probe
---------------------------------------------------------------------------

local function idle() while true do otp.receive() end end

local probe = {}
function probe.init() return "ok", 0 end
function probe.handle_call(_, _, n) return "reply", n, n + 1 end

local world = {live = {}, box_live = {}, servers = {}}

-- Decoys that are servers, so that fuzzed sends, calls and sys requests
-- reach a gen_server, a supervisor and a dynamic supervisor: started by a
-- keeper process (their link goes to it, not to the driver).
local counter = require "otp.demo.counter"
local SERVERS = {
  function() return otp.gen_server.start_link(counter, 0) end,
  function()
    return otp.supervisor.start_link{strategy = "one_for_one", intensity = 1000, period = 1,
      children = {{id = "c", start = {otp.gen_server.start_link, counter, 1}}}}
  end,
  function() return otp.dynamic_supervisor.start_link{max_children = 5} end,
}

local function start_server(j)
  local tag = otp.make_ref()
  local keeper = otp.spawn(function(start, driver)
    otp.send(driver, {tag, start()})
    otp.receive()
  end, SERVERS[j], otp.self())
  local m = otp.receive({tag}, KILL_MS)
  if not m or not m[2] then
    otp.exit(keeper, "kill")
    return nil
  end
  return m[2]
end

local function ensure_world()
  for j = 1, 3 do
    if not world.live[j] or not otp.is_alive(world.live[j]) then world.live[j] = otp.spawn(idle) end
  end
  for j = 1, #SERVERS do
    if not world.servers[j] or not otp.is_alive(world.servers[j]) then
      world.servers[j] = start_server(j)
    end
  end
  if not world.dead then
    world.dead = otp.spawn(function() end)
    local ref = otp.monitor(world.dead)
    otp.receive({"DOWN", ref})
  end
  local present = false
  for _, name in ipairs(otp.sandbox.list()) do
    if name == BOX then present = true
    else otp.sandbox.destroy(name, 100) end     -- one a fuzzed call made
  end
  if not present then
    assert(otp.sandbox.create(BOX, {max_memory = 64 << 20, max_processes = 500}))
    world.box_live = {}
  end
  for j = 1, 2 do
    if not world.box_live[j] or not otp.is_alive(world.box_live[j]) then
      world.box_live[j] = otp.sandbox.spawn(BOX, idle)
    end
  end
  if not world.probe or not otp.is_alive(world.probe) then
    world.probe = otp.gen_server.start(probe, nil)
  end
end

-- The processes that belong to the surroundings; every other one was made
-- by a fuzzed call and is killed after it.
local function baseline()
  local base = {}
  for _, p in ipairs(otp.processes()) do base[p] = true end
  return base
end

-- Names to try as methods of returned objects whose metatable is hidden.
local dict = {"stop", "events", "clear", "status", "dump", "analyze", "sequence_diagram",
              "next", "started", "terminated", "terminated_all", "exit_signal", "retry",
              "begin", "unexpected", "close", "send", "call", "cast", "info", "kill"}
do
  local have = {}
  for _, name in ipairs(dict) do have[name] = true end
  for _, path in ipairs(list) do
    local leaf = path:match("([^.]+)$")
    if not have[leaf] then have[leaf], dict[#dict + 1] = true, leaf end
  end
end

local function env_for(place)
  local env = {live = {}, dead = world.dead, sandbox = BOX, dict = dict}
  for _, p in ipairs(world.live) do env.live[#env.live + 1] = p end
  for j = 1, #SERVERS do env.live[#env.live + 1] = world.servers[j] end
  if place == "sandbox" then
    for _, p in ipairs(world.box_live) do env.live[#env.live + 1] = p end
  end
  return env
end

-- Answers within a bounded time, or says what did not.
local function health()
  local me = otp.self()
  local pid = otp.spawn(function() otp.send(me, {"fuzz_echo"}) end)
  if not otp.receive({"fuzz_echo"}, KILL_MS) then return "a new process did not answer" end
  local ok, n = pcall(otp.gen_server.call, world.probe, "next", KILL_MS)
  if not ok or math.type(n) ~= "integer" then return "the probe server did not answer" end
  local okr, v = pcall(otp.sandbox.run, BOX, function() return 6 * 7 end)
  if not okr or v ~= 42 then return "the sandbox did not answer: " .. tostring(v) end
  return nil, pid
end

---------------------------------------------------------------------------
-- The loop
---------------------------------------------------------------------------

local count = {calls = 0, host = 0, sandbox = 0, ok = 0, coded = 0, exit = 0, assertion = 0,
               propagated = 0, raw = 0, waited = 0, died = 0}
local raws, raw_seen, failures = {}, {}, {}
local me = otp.self()

local function journal(i, path, place)
  if not opts.journal then return end
  local f = io.open(opts.journal, "w")
  if f then
    f:write(string.format("seed %d call %d: %s from %s\n", opts.seed, i, path, place))
    f:close()
  end
end

local function fail(kind, i, path, place, detail)
  failures[#failures + 1] = string.format(
    "%s: call %d, otp.%s from %s: %s\n  replay: otplab run tests/fuzz/api.lua --seed %d --call %d",
    kind, i, path, place, detail, opts.seed, i)
end

local function one_call(i)
  local path, place = choose(i)
  ensure_world()
  local base = baseline()
  journal(i, path, place)
  local env = env_for(place)
  local pid
  if place == "sandbox" then pid = otp.sandbox.spawn(BOX, body, V, opts.seed, i, path, env, me)
  else pid = otp.spawn(body, V, opts.seed, i, path, env, me) end
  count.calls, count[place] = count.calls + 1, count[place] + 1
  local ref = otp.monitor(pid)
  local t0 = otp.monotonic_time()
  local msg = otp.receive(function(m)
    return type(m) == "table" and ((m[1] == "fuzz_result" and m[2] == i) or
                                   (m[1] == "DOWN" and m[2] == ref))
  end, opts.timeout)
  local elapsed = otp.monotonic_time() - t0
  if elapsed > opts.timeout + STALL_MS then
    fail("stall", i, path, place, string.format("the node was held for %d ms", elapsed))
  end
  if msg and msg[1] == "fuzz_result" then
    local outcome, detail, where = msg[3], msg[4], msg[5]
    count[outcome] = (count[outcome] or 0) + 1
    if outcome == "raw" then
      local key = where .. " | " .. tostring(detail):gsub("%d+", "N"):sub(1, 80)
      if not raw_seen[key] then
        raw_seen[key] = true
        raws[#raws + 1] = string.format("otp.%s from %s (call %d): %s", where, place, i, detail)
      end
    end
    if not otp.receive({"DOWN", ref}, KILL_MS) then otp.exit(pid, "kill") end
  elseif msg then
    count.died = count.died + 1      -- killed by a limit, or exited before reporting
  else
    count.waited = count.waited + 1  -- still waiting (or looping): killed
    otp.exit(pid, "kill")
    local t1 = otp.monotonic_time()
    if not otp.receive({"DOWN", ref}, KILL_MS) then
      fail("unkillable", i, path, place, "still alive " .. KILL_MS .. " ms after kill")
    elseif otp.monotonic_time() - t1 > STALL_MS then
      fail("stall", i, path, place, "the kill took " .. (otp.monotonic_time() - t1) .. " ms")
    end
  end
  otp.demonitor(ref, {flush = true})
  for _, p in ipairs(otp.processes()) do
    if not base[p] and p ~= pid then otp.exit(p, "kill") end
  end
  otp.log_level("none")
  if i % 50 == 0 then
    local why = health()
    if why then fail("unhealthy", i, path, place, why) end
  end
end

otp.log_level("none")
otp.trap_exit(false)
if opts.call then
  local path, place = choose(opts.call)
  local args, n = V.args(V.rng(opts.seed, opts.call), env_for(place))
  local shown = {}
  for j = 1, n do shown[j] = otp.inspect(args[j], {depth = 3, width = 200}) end
  say("fuzz: seed %d call %d: otp.%s(%s) from %s", opts.seed, opts.call, path,
      table.concat(shown, ", "), place)
  one_call(opts.call)
else
  local deadline = otp.monotonic_time() + opts.seconds * 1000
  local i = 0
  while i < opts.calls and otp.monotonic_time() < deadline and #failures == 0 do
    i = i + 1
    one_call(i)
  end
end
local why = health()
if why then fail("unhealthy", count.calls, "(end of run)", "host", why) end

say("fuzz: seed %d, %d functions (%d known breaks left out), %d calls (%d host, %d sandbox): "
    .. "%d returned, %d badarg-style errors, %d exits, %d assertion failures, "
    .. "%d passed-on callback errors, %d raw errors, %d waited and were killed, "
    .. "%d died, %d failures",
    opts.seed, #list, #known, count.calls, count.host, count.sandbox, count.ok, count.coded,
    count.exit, count.assertion, count.propagated, count.raw, count.waited, count.died,
    #failures)
for _, line in ipairs(raws) do say("  raw error: %s", line) end
for _, line in ipairs(failures) do say("FAIL %s", line) end
if #failures > 0 or (opts.strict and count.raw > 0) then
  error(string.format("fuzz: %d failures (seed %d)", #failures, opts.seed), 0)
end
