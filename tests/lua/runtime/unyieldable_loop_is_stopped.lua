-- Proves: a loop the scheduler cannot preempt because Lua cannot yield there
-- (inside a table.sort comparator or a string.gsub callback: C calls Lua)
-- is stopped after a bounded time (DESIGN.md Preemption: missed ticks, then
-- the process is killed; the default limit is 2 s). The DOWN reason is
-- {"error", msg, ...} with msg saying the process could not be preempted,
-- and the node, this scenario included, carries on.

local function stopped_with(body, what)
  local pid, ref = otp.spawn_monitor(body)
  local down = otp.receive(function(m)
    return type(m) == "table" and m[1] == "DOWN" and m[2] == ref
  end, 5000)
  assert(down, what .. ": no DOWN within 5 s: the unyieldable loop was never stopped")
  local reason = down[5]
  assert(type(reason) == "table" and reason[1] == "error",
    what .. ": the DOWN reason should be {'error', msg, ...}, got " .. tostring(reason))
  local msg = tostring(reason[2])
  assert(msg:lower():find("preempt"), what .. ": the error should say it could not be preempted, got: " .. msg)
  assert(not otp.is_alive(pid), what .. ": the process is alive after its DOWN")
  return msg
end

stopped_with(function()
  table.sort({ 3, 2, 1 }, function(a, b) while true do end end)
end, "table.sort comparator")

stopped_with(function()
  string.gsub("abc", "%w", function(c) while true do end end)
end, "string.gsub callback")

-- The node still works: a round trip with a fresh process.
local me = otp.self()
otp.spawn(function() otp.send(me, "still here") end)
assert(otp.receive(function(m) return m == "still here" end, 2000), "the node stopped working")
