-- Helper of c1_every_reachable_c_function_survives_hostile_arguments.lua
-- (files starting with _ are not scenarios): the hostile argument tuples,
-- the C functions a process can reach, and the call loop, as source text
-- that runs in a host process and in a sandboxed one alike.
return [=[
local H = {}

local function boom(what) return function() error("hostile " .. what, 0) end end

--- H.values() -> list of hostile values (n = how many, holes included).
--- No function here returns a value: load(reader) with a reader that keeps
--- returning 1 reads "111..." for ever, Lua's own endless loop (the
--- stuck-call limit stops it, but only after a while).
function H.values()
  local hostile = setmetatable({}, {
    __index = boom("__index"), __newindex = boom("__newindex"),
    __len = function() return math.maxinteger end,
    __tostring = function() return {} end, __call = boom("__call"),
    __eq = boom("__eq"), __lt = boom("__lt"), __le = boom("__le"),
    __concat = boom("__concat"), __close = boom("__close"), __name = 42,
  })
  local only_len = setmetatable({}, {__len = function() return math.maxinteger - 1 end})
  local v = {nil, true, false, 0, -1, 1, 3, 2^31, -2^31, math.maxinteger, math.mininteger,
             0/0, 1/0, -1/0, 0.5, -0.0, 1e308, "", "x", "%", "%s", "\0", "-1", "1e999",
             ("ab"):rep(200), {}, {1, 2, 3}, hostile, only_len, boom("function"),
             function() end, coroutine.create(function() end), otp.self()}
  v.n = 33
  return v
end

--- H.tuples(values, seed) -> argument lists: none, each value alone, pairs
--- with a few, and seeded random triples (each list carries its n)
function H.tuples(v, seed)
  local t = {{n = 0}}
  for i = 1, v.n do t[#t + 1] = {v[i], n = 1} end
  local second = {1, 6, 10, 11, 19, 26, 28}
  for i = 1, v.n do
    for _, j in ipairs(second) do t[#t + 1] = {v[i], v[j], n = 2} end
  end
  local s = seed
  local function r(n)
    s = (s * 1103515245 + 12345) % 2147483648
    return s % n + 1
  end
  for _ = 1, 60 do t[#t + 1] = {v[r(v.n)], v[r(v.n)], v[r(v.n)], n = 3} end
  return t
end

local function is_c(f) return type(f) == "function" and not pcall(string.dump, f) end

--- H.reachable(skip) -> sorted "lib.name" paths of every C function in the
--- library tables of package.loaded (and one level below), with the
--- iterators pairs() hands out for them; skip: set of top-level names.
function H.reachable(skip)
  local out, seen = {}, {}
  local function add(path, f)
    if is_c(f) and not seen[path] then
      seen[path] = true
      out[#out + 1] = path
    end
  end
  for name, lib in pairs(package.loaded) do
    if type(lib) == "table" and not skip[name] and not name:find("^otp") then
      local quiet = name == "_G"           -- print and warn only write
      add("pairs:" .. name, (pairs(lib)))
      for k, f in pairs(lib) do
        if type(k) == "string" and not (quiet and (k == "print" or k == "warn")) then
          add(name .. "." .. k, f)
          if type(f) == "table" and name ~= "_G" and k ~= "loaded" then
            for k2, f2 in pairs(f) do add(name .. "." .. k .. "." .. tostring(k2), f2) end
          end
        end
      end
    end
  end
  add("pairs:package.loaded", (pairs(package.loaded)))
  for name, f in pairs(H.made) do add("made:" .. name, f()) end
  table.sort(out)
  return out
end

-- C functions that other functions make (closures with their own state)
H.made = {
  gmatch = function() return string.gmatch("a1b2c3", "%a(%d)") end,
  wrap = function() return coroutine.wrap(function(...) return ... end) end,
  wrap_loop = function()
    return coroutine.wrap(function(...) while true do coroutine.yield(...) end end)
  end,
}

--- H.resolve(path) -> the function at path
function H.resolve(path)
  local made = path:match("^made:(.*)$")
  if made then return H.made[made]() end
  local lib = path:match("^pairs:(.*)$")
  if lib == "package.loaded" then return (pairs(package.loaded)) end
  if lib then return (pairs(package.loaded[lib])) end
  local v = package.loaded
  for part in path:gmatch("[^.]+") do v = v[tonumber(part) or part] end
  return v
end

-- errors a C function raises on its own must say what was wrong: not the
-- virtual machine's raw complaints about a value it was handed
local RAW = {"^attempt to index", "^attempt to call", "^attempt to perform",
             "^attempt to concatenate", "^attempt to get length", "^attempt to compare"}

--- H.unclear(err) -> nil if err is a clear error, else why not
function H.unclear(err)
  if type(err) ~= "string" then return nil end    -- error() and friends raise any value
  if err == "" then return "an empty message" end
  if err:find("hostile", 1, true) then return nil end
  local bare = err:gsub("^[^:]*:%d+: ", "")
  for _, p in ipairs(RAW) do
    if bare:find(p) then return "a raw Lua error" end
  end
  return nil
end

--- H.run(path, tuples, from, report, own): calls path with tuples[from..]
--- in a protected call each, reporting ("at", i) before each call and, for
--- otplab's own functions (own), unclear errors (Lua's stock functions
--- keep Lua's messages, "attempt to compare nil with number" in math.max);
--- returns how many calls were made.
function H.run(path, tuples, from, report, own)
  local f = H.resolve(path)
  local raises = not own
  for i = from, #tuples do
    report("at", i)
    local a = tuples[i]
    local ok, err = pcall(f, table.unpack(a, 1, a.n))
    if not ok and not raises then
      local why = H.unclear(err)
      if why then report("unclear", i, why .. ": " .. tostring(err)) end
    end
  end
  return #tuples - from + 1
end

return H
]=]
