-- Proves: every process has its own globals (DESIGN.md Process model: "each
-- process has its own _ENV"). A global set in one process is not seen by
-- another, in either direction; a spawned function's free names resolve in
-- the child's globals; and load, loadfile and dofile run chunks in the
-- globals of the process that calls them.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local parent = otp.self()

local function await(tag, ms)
  local m = otp.receive(function(m) return type(m) == "table" and m[1] == tag end, ms or 2000)
  assert(m, "timed out waiting for a {" .. tostring(tag) .. ", ...} message")
  return m
end

-- A chunk file for loadfile/dofile: it reads and writes globals.
local path = os.tmpname()
do
  local f = assert(io.open(path, "w"))
  f:write("file_runs = (file_runs or 0) + 1\nreturn who_am_i, file_runs\n")
  f:close()
end

who_am_i = "parent"
parent_only = "set by the parent before spawning"

-- 1. Globals do not cross in either direction; the standard library is there.
local child = otp.spawn(function()
  local before = parent_only
  who_am_i = "child"
  child_only = true
  _G.through_G = "child"
  otp.send(parent, { "set", before, type(print), type(string.format), through_G, _G == _ENV })
  await("parent_set_more")
  otp.send(parent, { "view", who_am_i, parent_later })
end)
local m = await("set")
check(m[2] == nil, "a global set by the parent before spawn is visible in the child")
check(m[3] == "function" and m[4] == "function", "the child's globals lack the standard library")
check(m[5] == "child", "_G.x = v in the child is not the global x")
check(m[6] == true, "_G ~= _ENV in the child")
check(who_am_i == "parent", "the child's global assignment replaced the parent's global")
check(child_only == nil, "a global created by the child is visible in the parent")
check(through_G == nil and rawget(_G, "through_G") == nil, "the child's _G is the parent's _G")
parent_later = "later"
otp.send(child, { "parent_set_more" })
local v = await("view")
check(v[2] == "child", "the child's global was changed by another process")
check(v[3] == nil, "a global set by the parent after spawn is visible in the child")

-- 2. A function written in the parent and copied into the child reads and
--    writes the child's globals.
local function read_who() return who_am_i end
local function write_global(x) written_by_copy = x end
otp.spawn(function()
  who_am_i = "second child"
  write_global("child value")
  otp.send(parent, { "free_names", read_who(), written_by_copy })
end)
local f = await("free_names")
check(f[2] == "second child", "a copied function read the parent's global, not the child's")
check(f[3] == "child value", "a copied function wrote somewhere other than the child's globals")
check(written_by_copy == nil, "a copied function running in the child wrote the parent's global")

-- 3. load, loadfile and dofile inside a process use that process's globals.
otp.spawn(function(file)
  who_am_i = "loader"
  local by_load = load("return who_am_i")()
  load("set_by_load = 1")()
  local by_loadfile, runs1 = assert(loadfile(file))()
  local by_dofile, runs2 = dofile(file)
  local explicit = load("return who_am_i", "explicit", "t", { who_am_i = "given env" })()
  otp.send(parent, { "loaders", by_load, set_by_load, by_loadfile, runs1, by_dofile, runs2, explicit })
end, path)
local l = await("loaders")
check(l[2] == "loader", "load() in a process read another process's global: " .. tostring(l[2]))
check(l[3] == 1, "load() in a process did not write that process's global")
check(l[4] == "loader", "loadfile() in a process read another process's global: " .. tostring(l[4]))
check(l[5] == 1, "loadfile() chunk saw file_runs from elsewhere")
check(l[6] == "loader", "dofile() in a process read another process's global: " .. tostring(l[6]))
check(l[7] == 2, "dofile() chunk did not see the global loadfile's chunk set in the same process")
check(l[8] == "given env", "load with an explicit env ignored it")
check(set_by_load == nil, "load() in the child wrote the parent's global")
check(file_runs == nil, "loadfile()/dofile() in the child wrote the parent's global")

-- The parent's own dofile/loadfile/load see the parent's globals.
local who, runs = dofile(path)
check(who == "parent" and runs == 1, "dofile() in the parent: got " .. tostring(who) .. ", " .. tostring(runs))
who, runs = assert(loadfile(path))()
check(who == "parent" and runs == 2, "loadfile() in the parent: got " .. tostring(who) .. ", " .. tostring(runs))
check(load("return who_am_i")() == "parent", "load() in the parent does not read the parent's globals")

os.remove(path)

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
