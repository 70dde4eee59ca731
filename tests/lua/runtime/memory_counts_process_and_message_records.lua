-- Proves: process memory counts the runtime's own records of a process, as
-- erlang:process_info(P, memory) counts BEAM's process structure and its
-- message queue (API.md section 2, process_info "memory" and otp.memory):
-- queued messages raise the receiver's memory even when their values take
-- no Lua memory, and fall again when taken; otp.memory().processes is the
-- sum of the processes' memory; total grows by at least that much.

local expect = require "otp.expect"
local me = otp.self()

-- A process that leaves `true` messages queued until told to flush them.
local holder = otp.spawn(function(parent)
  otp.send(parent, { "ready" })
  otp.receive(function(m) return m == "flush" end)
  local is_true = function(m) return m == true end
  while otp.receive(is_true, 0) do end
  collectgarbage("collect")
  otp.send(parent, { "flushed" })
  otp.receive(function(m) return m == "stop" end)
end, me)
expect.receive({"ready"})

local QUEUED = 2000
local before = otp.process_info(holder, "memory")
for _ = 1, QUEUED do otp.send(holder, true) end
local queued = otp.process_info(holder, "memory")
assert(otp.process_info(holder, "message_queue_len") == QUEUED, "the messages were not queued")
-- Each queued message has a record (its links in the queue, its sender).
assert(queued - before >= QUEUED * 32,
  string.format("%d queued messages raised process_info memory by %d bytes (from %d to %d)",
    QUEUED, queued - before, before, queued))

otp.send(holder, "flush")
expect.receive({"flushed"})
local flushed = otp.process_info(holder, "memory")
assert(flushed < queued - QUEUED * 32,
  string.format("taking %d messages did not give their records back (%d -> %d bytes)",
    QUEUED, queued, flushed))
otp.send(holder, "stop")

-- Idle processes: "processes" grows by the sum of their memory, "total" by
-- at least that.
local N = 500
collectgarbage("collect")
local mem0 = otp.memory()
local pids = {}
for i = 1, N do
  pids[i] = otp.spawn(function(parent)
    otp.send(parent, { "idle" })
    otp.receive(function(m) return m == "stop" end)
  end, me)
end
for _ = 1, N do expect.receive({"idle"}) end

collectgarbage("collect")
local mem1 = otp.memory()
local sum = 0
for i = 1, N do
  local bytes = otp.process_info(pids[i], "memory")
  assert(math.type(bytes) == "integer" and bytes > 0, "process_info memory of an idle process: " .. tostring(bytes))
  sum = sum + bytes
end
local grown = mem1.processes - mem0.processes
assert(math.abs(grown - sum) <= sum // 10 + 64 * 1024,
  string.format("otp.memory().processes grew by %d bytes, the %d processes' memory sums to %d",
    grown, N, sum))
assert(mem1.total - mem0.total >= grown - 64 * 1024,
  string.format("otp.memory().total grew by %d bytes, processes by %d", mem1.total - mem0.total, grown))
for i = 1, N do otp.send(pids[i], "stop") end
