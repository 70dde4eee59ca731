-- Proves: memory is accounted per process (API.md section 2, process_info
-- "memory" and otp.memory; DESIGN.md "Per-process memory"):
-- process_info(p, "memory") grows by what p allocates and holds, and falls
-- again when p frees it; otp.memory() reports total, processes and system,
-- and "processes" grows with a process's data.

local me = otp.self()

local function await(tag)
  local m = otp.receive(function(m) return type(m) == "table" and m[1] == tag end, 5000)
  assert(m, "timed out waiting for {" .. tag .. ", ...}")
  return m
end

-- otp.memory(): a table of byte counts.
local mem = otp.memory()
assert(type(mem) == "table", "otp.memory() returned " .. type(mem))
for _, k in ipairs { "total", "processes", "system" } do
  assert(math.type(mem[k]) == "integer" and mem[k] > 0, "otp.memory()." .. k .. " is " .. tostring(mem[k]))
end
assert(mem.total >= mem.processes, "otp.memory(): total < processes")
assert(math.type(otp.memory("total")) == "integer", "otp.memory('total') is not an integer")

local holder = otp.spawn(function(parent)
  otp.send(parent, { "ready" })
  local big
  while true do
    local cmd = otp.receive(nil, 10000)
    if cmd == "build" then
      big = {}
      for i = 1, 100000 do big[i] = string.rep("m", 40) .. i end
      otp.send(parent, { "built" })
    elseif cmd == "drop" then
      big = nil
      collectgarbage("collect")
      otp.send(parent, { "dropped" })
    else
      return
    end
  end
end, me)

await("ready")
local before = otp.process_info(holder, "memory")
local before_all = otp.memory().processes
assert(math.type(before) == "integer" and before > 0, "process_info(p, 'memory') is " .. tostring(before))

otp.send(holder, "build")
await("built")
local after = otp.process_info(holder, "memory")
local after_all = otp.memory().processes
-- 100000 strings of ~45 bytes plus the array: well over 4 MB in Lua 5.4.
assert(after - before > 4 * 1024 * 1024,
  string.format("process_info memory grew by %d bytes (from %d to %d) for a 100000-string table",
    after - before, before, after))
assert(after_all - before_all > 4 * 1024 * 1024,
  string.format("otp.memory().processes grew by only %d bytes", after_all - before_all))
local info = otp.process_info(holder)
assert(info.memory and info.memory > 4 * 1024 * 1024, "process_info(p).memory disagrees with process_info(p, 'memory')")

-- The main process's own memory does not include the holder's table.
local mine = otp.process_info(me, "memory")
assert(mine < 4 * 1024 * 1024, "the first process is charged for another process's table (" .. mine .. " bytes)")

otp.send(holder, "drop")
await("dropped")
local freed = otp.process_info(holder, "memory")
assert(freed < after - 2 * 1024 * 1024,
  string.format("process_info memory did not fall after the table was freed (%d -> %d)", after, freed))

otp.send(holder, "stop")
