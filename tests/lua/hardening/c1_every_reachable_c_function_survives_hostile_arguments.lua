-- C1: every C entry point must take its arguments as if they were hostile.
-- Each C function a process can reach outside `otp` (the otp functions have
-- the API fuzzer, tests/fuzz/api) is called with hostile values (wrong
-- types, huge and negative integers, NaN, infinities, missing and extra
-- arguments, tables whose metamethods raise or lie about their length,
-- functions, coroutines, pids): in a sandbox, every C function reachable
-- from its library; in a host process, the ones otplab puts in place of
-- Lua's (a host keeps Lua's own library, with its known long C calls). Each
-- function's calls run in a process of their own, reporting before each
-- call; the node must survive every call, no call may hang (the next report
-- comes within a bounded wait), and every error of otplab's own functions
-- must be a Lua error with a clear message (not the VM's raw "attempt to
-- index a nil value"; Lua's stock functions keep Lua's own messages).
-- The metamethods otplab sets on pids, exit exceptions and the read-only
-- library views are reached through the operations that call them.
local expect = otp.expect
local me = otp.self()
local SRC = dofile((arg[0]:match("^(.*/)") or "") .. "_hostile.lua")
local H = load(SRC)()

-- otplab's own C functions in a host process's library (host Lua's stock
-- functions are out of scope here: the issue's promise for them is the
-- stuck-call limit and the node's memory limit)
local HOST_OWN = {"_G.load", "_G.require", "_G.setmetatable", "_G.rawset", "_G.loadfile",
                  "_G.dofile", "coroutine.resume", "coroutine.wrap", "coroutine.yield",
                  "coroutine.isyieldable", "coroutine.running", "package.searchers.2",
                  "pairs:string", "pairs:table", "pairs:_G", "pairs:package.loaded",
                  "made:wrap", "made:wrap_loop"}

-- otplab's own C functions in a sandbox's library, on top of the host's
local SANDBOX_OWN = {"string.find", "string.match", "string.gmatch", "string.gsub",
                     "string.rep", "table.move", "table.insert", "table.remove", "table.sort",
                     "_G.collectgarbage", "pairs:coroutine", "pairs:math", "pairs:os",
                     "pairs:package", "pairs:utf8", "made:gmatch"}
local OWN = {}
for _, p in ipairs(HOST_OWN) do OWN[p] = true end
for _, p in ipairs(SANDBOX_OWN) do OWN[p] = true end

-- Runs paths (in the sandbox if sb) one process per path, restarting after
-- a death (a sandbox's limits may stop a call) and killing a call still
-- running after 10 s. Returns calls made, deaths seen, the unclear
-- errors and the long calls.
local function fuzz(paths, sb)
  local calls, deaths, unclear, long = 0, 0, {}, {}
  for _, path in ipairs(paths) do
    local from = 1
    while true do
      local body = function(src, p, start, to, own)
        local h = load(src)()
        local tuples = h.tuples(h.values(), 7)
        local n = h.run(p, tuples, start, function(kind, i, text)
          otp.send(to, {kind, p, i, text})
        end, own)
        otp.send(to, {"done", p, n})
      end
      local opts = {monitor = true, sandbox = sb}
      local pid, ref = otp.spawn_opt(body, opts, SRC, path, from, me, OWN[path])
      local last, finished = from - 1, false
      while true do
        local m = otp.receive(function(m)
          return (m[2] == path and m[1] ~= "DOWN") or (m[1] == "DOWN" and m[2] == ref)
        end, 10000)
        if m == nil then                  -- a long call (one that yields: the
          long[#long + 1] = path .. " call " .. last   -- node is fine, we are here)
          otp.exit(pid, "kill")
          expect.receive({"DOWN", ref}, 10000)
          break
        elseif m[1] == "at" then
          last = m[3]
        elseif m[1] == "unclear" then
          unclear[#unclear + 1] = ("%s call %d: %s"):format(path, m[3], m[4])
        elseif m[1] == "done" then
          calls = calls + m[3]
          finished = true
        elseif m[1] == "DOWN" then
          break
        end
      end
      if finished then break end
      deaths = deaths + 1                 -- stopped by a limit: go on after it
      calls = calls + (last - from + 1)
      from = last + 1
      expect.truthy(deaths < 200, path .. ": the calls keep dying")
      expect.alive(me)
    end
  end
  return calls, deaths, unclear, long
end

local function report(where, calls, unclear)
  if #unclear > 0 then
    error(("%s: %d unclear errors in %d calls:\n  %s"):format(where, #unclear, calls,
      table.concat(unclear, "\n  ", 1, math.min(#unclear, 600))))
  end
end

-- host: otplab's replacements are all there, C functions, and all survive
local host_paths = {}
for _, path in ipairs(HOST_OWN) do
  local f = H.resolve(path)
  expect.eq(type(f), "function", path .. " is reachable in a host process")
  host_paths[#host_paths + 1] = path
end
local hcalls, _, hunclear, hlong = fuzz(host_paths, nil)
expect.eq(hlong, {}, "no host call runs long")
report("host", hcalls, hunclear)

-- sandbox: everything reachable, found from inside it
-- its limits stop what runs away: a call that asks for too much memory, and
-- the table loops that __len makes endless (they yield, so max_reductions
-- sees them and stops them)
expect.eq(otp.sandbox.create("c1_hostile", {max_memory = 32 * 1024 * 1024,
                                            max_reductions = 300000}), true)
local lister = otp.sandbox.spawn("c1_hostile", function(src, to)
  otp.send(to, {"paths", load(src)().reachable({})})
end, SRC, me)
local sb_paths = expect.receive({"paths"}, 10000)[2]
expect.dead(lister)
local listed = {}
for _, p in ipairs(sb_paths) do listed[p] = true end
for _, p in ipairs{"string.find", "string.gsub", "string.rep", "table.move", "table.insert",
                   "_G.load", "_G.setmetatable", "_G.collectgarbage", "coroutine.wrap",
                   "utf8.char", "math.floor", "os.date", "pairs:string", "made:gmatch",
                   "made:wrap"} do
  expect.truthy(listed[p], p .. " is among the sandbox's C functions")
end
local scalls, sdeaths, sunclear, slong = fuzz(sb_paths, "c1_hostile")
report("sandbox", scalls, sunclear)
-- calls still running after 10 s could only be the loops of table.move/insert/remove
-- over a range a table's __len made huge: they yield, so they were killable
for _, l in ipairs(slong) do
  expect.truthy(l:find("^table%.[mir]"), "only a table loop runs long: " .. l)
end
expect.truthy(scalls > 20000, "the sandbox's functions got many calls: " .. scalls)
expect.truthy(sdeaths > 0, "the limits stopped the runaway calls")

-- the metamethods, through the operations that reach them, in both places
local function ops(src, to)
  local h = load(src)()
  local pid = otp.self()
  local _, exit = pcall(otp.exit, "x")
  local bad = {}
  for i, v in ipairs(h.values()) do
    local tries = {
      function() return pid < v end, function() return v < pid end,
      function() return tostring(pid), tostring(exit), tostring(otp.make_ref()) end,
      function() return #string, #package.loaded end,
      function() string[v] = 1 end, function() rawset(string, v, 1) end,
      function() return package.loaded[v] end, function() package.loaded[v] = 1 end,
      function() return getmetatable(exit), getmetatable(pid) end,
    }
    for j, t in ipairs(tries) do
      local ok, err = pcall(t)
      local why = not ok and h.unclear(err)
      if why and not (j <= 2 and type(v) ~= "userdata" and err:find("compare")) then
        bad[#bad + 1] = ("value %d, operation %d: %s"):format(i, j, tostring(err))
      end
    end
  end
  otp.send(to, {"ops", bad, getmetatable(exit), getmetatable(pid)})
end
local hpid = otp.spawn(ops, SRC, me)
local hops = expect.receive({"ops"}, 10000)
expect.eq(hops[2], {}, "host operations answer clearly")
expect.eq(hops[3], "otp.exit", "an exit exception's metatable is hidden")
expect.eq(hops[4], false, "a pid's metatable is hidden")
local spid = otp.sandbox.spawn("c1_hostile", ops, SRC, me)
local sops = expect.receive({"ops"}, 10000)
expect.eq(sops[2], {}, "sandbox operations answer clearly")
expect.eq(sops[3], "otp.exit")
expect.dead(hpid)
expect.dead(spid)
otp.sandbox.destroy("c1_hostile")
