-- Proves: the plain infinite recursion a learner writes,
--   local function deep(n) return 1 + deep(n + 1) end
-- ends its process with {"error", "...stack overflow", traceback} as promptly
-- as Lua itself does (plain lua5.4 needs well under a second), and the node
-- keeps serving other processes meanwhile. Preemption must not make a deep
-- stack expensive: the DOWN is awaited with a generous bounded timeout.

local me = otp.self()

local pid, ref = otp.spawn_monitor(function()
  local function deep(n) return 1 + deep(n + 1) end
  deep(1)
end)

-- While it recurses, another process still answers.
local ponger = otp.spawn(function()
  local m = otp.receive(nil, 5000)
  if m then otp.send(m, "pong") end
end)
otp.send(ponger, me)
assert(otp.receive(function(m) return m == "pong" end, 5000), "no pong while a process recursed deeply")

local down = otp.receive(function(m)
  return type(m) == "table" and m[1] == "DOWN" and m[2] == ref
end, 10000)
assert(down, "no DOWN within 10 s from a process in infinite recursion (plain Lua overflows in ~0.2 s)")
local reason = down[5]
assert(type(reason) == "table" and reason[1] == "error", "the reason is not {'error', ...}: " .. tostring(reason))
assert(tostring(reason[2]):find("stack overflow", 1, true), "the error is not a stack overflow: " .. tostring(reason[2]))
assert(type(reason[3]) == "string", "no traceback in the reason")
