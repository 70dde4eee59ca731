-- Random argument values for the API fuzzer, from a seeded generator.
--
-- Loaded with loadfile (not require) so that the returned table is plain
-- data and code: a function that captures it can be spawned into a sandbox,
-- where it arrives as a copy. Everything here is deterministic for a given
-- (seed, call) pair, in the host and in a sandbox alike: the generator is
-- our own splitmix64, not math.random (whose state a Lua state shares).
--
-- gen(rng, env) -> a value; env holds what only the calling process can
-- make (live and dead pids it was given, its sandbox's name).

local V = {}

--- V.rng(seed, i) -> r: r(n) is an integer in [1, n], r() 63 random bits.
function V.rng(seed, i)
  local s = seed * 0x100000001B3 + i * 0x9E3779B97F4A7C15
  return function(n)
    s = s + 0x9E3779B97F4A7C15
    local z = s
    z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
    z = (z ~ (z >> 27)) * 0x94D049BB133111EB
    z = (z ~ (z >> 31)) >> 1
    if n then return z % n + 1 end
    return z
  end
end

local function pick(r, list) return list[r(#list)] end

-- Words the API gives meaning to: options, strategies, reasons, keys, names
-- of modules and of the fuzzer's own sandbox, so random calls reach past
-- the first type check.
V.words = {
  "normal", "kill", "killed", "shutdown", "noproc", "infinity", "brutal_kill",
  "one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one",
  "permanent", "transient", "temporary", "worker", "supervisor",
  "never", "any_significant", "all_significant", "all", "new", "hibernate",
  "send", "receive", "exit", "spawn", "down", "link", "sup_restart",
  "total", "processes", "system", "sandboxes", "status", "messages",
  "memory", "links", "monitors", "reductions", "current_stacktrace",
  "sandbox", "label", "registered_name", "message_queue_len", "trap_exit",
  "process_count", "run_queue", "context_switches", "messages_sent",
  "second", "millisecond", "microsecond", "nanosecond",
  "none", "error", "warning", "info", "debug",
  "ok", "reply", "noreply", "stop", "ignore", "timeout", "EXIT", "DOWN",
  "fuzzbox", "fuzz_name", "fuzz_mod", "otp", "otp.gen_server", "string", "_G",
  "io", "os", "debug", "<0.1.0>", "<0.99999.0>", "<3.1.0>", "#Ref<0.1>",
  "%s%d%q", "\0nul\0", "\255\254binary", "", "x",
}

local option_keys = {
  "strategy", "intensity", "period", "children", "name", "id", "start",
  "restart", "shutdown", "type", "significant", "auto_shutdown", "modules",
  "max_children", "link", "monitor", "trap_exit", "max_heap", "sandbox",
  "timeout", "pids", "kinds", "filter", "max_events", "rate", "to",
  "max_payload", "max_queue", "max_processes", "max_memory", "max_reductions",
  "allow", "flush", "alias", "depth", "width", "color", "sort", "n",
}

local integers = {
  0, 1, -1, 2, 3, 5, 63, 64, 100, 1000, 5000, 65535, 1 << 31, (1 << 31) - 1,
  1 << 32, 1 << 53, math.maxinteger, math.mininteger, math.mininteger + 1,
  -(1 << 31),
}

local floats = {
  0.0, -0.0, 0.5, -1.5, 1.0, 3.0, 1e9 + 0.5, 1e308, -1e308, 5e-324,
  1 / 0, -1 / 0, 0 / 0, 2.0 ^ 63, -(2.0 ^ 63), 2.0 ^ 53 + 1,
}

local function string_value(r)
  local k = r(8)
  if k <= 4 then return pick(r, V.words) end
  if k == 5 then   -- random bytes
    local n, b = r(40) - 1, {}
    for j = 1, n do b[j] = string.char(r(256) - 1) end
    return table.concat(b)
  end
  if k == 6 then return string.rep("y", r(4096)) end
  if k == 7 then return string.rep("\0\1", 1 << 19) end   -- a 1 MB binary
  return tostring(r(1 << 20))
end

-- Functions the API may call back: ordinary, failing, looping, yielding,
-- exiting, waiting, or returning several odd values.
local function function_value(r, depth, env)
  local k = r(11)
  if k == 1 then return function() end end
  if k == 2 then return function() error("fuzz-boom") end end
  if k == 3 then return function() error({"fuzz-boom"}) end end
  if k == 4 then return function() while true do end end end
  if k == 5 then return function() otp.exit("fuzz-boom") end end
  if k == 6 then return function() return otp.receive() end end
  if k == 7 then return function() coroutine.yield(1) return "ok" end end
  if k == 8 then
    local v = V.gen(r, env, depth + 1)
    return function() return v end
  end
  if k == 9 then
    local a, b = V.gen(r, env, depth + 1), V.gen(r, env, depth + 1)
    return function() return a, b, a end
  end
  if k == 10 then return function(...) return ... end end
  return function() return "ok", {}, 10 end   -- an init-like answer
end

-- Metatables whose metamethods fail, loop, or answer nonsense.
local function hostile_metatable(r)
  local mt = {}
  local events = {"__index", "__newindex", "__eq", "__len", "__tostring",
                  "__pairs", "__call", "__concat", "__lt", "__le", "__name",
                  "__metatable", "__close", "__unm", "__add"}
  for _ = 1, r(4) do
    local ev, k = pick(r, events), r(6)
    if k == 1 then mt[ev] = function() error("fuzz-boom") end
    elseif k == 2 then mt[ev] = function() while true do end end
    elseif k == 3 then mt[ev] = function() return nil end
    elseif k == 4 then mt[ev] = function() return {} end
    elseif k == 5 then mt[ev] = "not a function"
    else mt[ev] = function(...) return ... end end
  end
  return mt
end

local function table_value(r, depth, env)
  local k = r(10)
  if k == 1 then return {} end
  if k == 2 then   -- an array
    local t = {}
    for j = 1, r(6) do t[j] = V.gen(r, env, depth + 1) end
    return t
  end
  if k == 3 or k == 4 then   -- an options or spec-like table
    local t = {}
    for _ = 1, r(6) do t[pick(r, option_keys)] = V.gen(r, env, depth + 1) end
    return t
  end
  if k == 5 then   -- cyclic
    local t = {1, 2}
    t.self, t[3] = t, t
    return t
  end
  if k == 6 then   -- deep
    local t = {}
    local n = r(3) == 1 and 20000 or 300
    for _ = 1, n do t = {t} end
    return t
  end
  if k == 7 then   -- wide
    local t = {}
    for j = 1, 1 + r(100000) do t[j] = j end
    return t
  end
  if k == 8 then   -- a hostile metatable, on an otherwise plausible table
    local t = table_value(r, depth + 1, env)
    if type(t) == "table" and getmetatable(t) == nil then
      pcall(setmetatable, t, hostile_metatable(r))
    end
    return t
  end
  if k == 9 then   -- a matcher-like pattern
    return {pick(r, V.words), otp._, V.gen(r, env, depth + 1)}
  end
  local t = {}   -- keys of every kind
  for _ = 1, r(5) do
    local key = V.gen(r, env, depth + 1)
    if key ~= nil and key == key then t[key] = V.gen(r, env, depth + 1) end
  end
  return t
end

local function pid_value(r, env)
  local k = r(6)
  if k <= 2 and #env.live > 0 then return pick(r, env.live) end
  if k == 3 and env.dead then return env.dead end
  if k == 4 then return otp.self() end
  local text = k == 5 and "<0." .. r(1 << 20) .. ".0>"
               or pick(r, {"<0.1.0>", "<0.0.0>", "<7.3.0>", "<0.2147483647.0>"})
  local ok, pid = pcall(otp.pid, text)   -- a forged pid, if otp.pid takes it
  -- one that names a live process would aim at the fuzzer itself (the
  -- decoys are the live targets)
  if not ok or not pcall(otp.is_alive, pid) or otp.is_alive(pid) then return env.dead end
  return pid
end

--- V.gen(r, env[, depth]) -> one random value.
function V.gen(r, env, depth)
  depth = depth or 0
  local k = depth > 3 and r(9) or r(14)
  if k == 1 then return nil end
  if k == 2 then return r(2) == 1 end
  if k == 3 then return r(2) == 1 and pick(r, integers) or r(1 << 16) - 100 end
  if k == 4 then return pick(r, floats) end
  if k == 5 or k == 6 then return string_value(r) end
  if k == 7 then return pid_value(r, env) end
  if k == 8 then
    local j = r(3)
    if j == 1 then return otp.make_ref() end
    if j == 2 then return otp.alias() end
    return otp.send_after(1 << 30, otp.self(), "never")
  end
  if k == 9 then return pick(r, {"fuzzbox", env.sandbox or "fuzzbox", "fuzz_name"}) end
  if k == 10 or k == 11 then return table_value(r, depth, env) end
  if k == 12 then return function_value(r, depth, env) end
  if k == 13 then
    local co = coroutine.create(function_value(r, depth, env))
    if r(2) == 1 then pcall(coroutine.resume, co) end
    return co
  end
  return otp._
end

--- V.args(r, env) -> array of arguments, n (nils included).
function V.args(r, env)
  local n, a = r(6) - 1, {}
  for j = 1, n do a[j] = V.gen(r, env) end
  return a, n
end

return V
