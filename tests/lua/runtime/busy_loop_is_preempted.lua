-- Proves: a process stuck in `while true do end` does not stop the others
-- (API.md section 2, Scheduling): while it spins, another process exchanges
-- 1000 messages with the main process (500 round trips), and the spinner keeps being scheduled
-- (its reductions grow). otp.exit(p, "kill") then ends it with DOWN reason
-- "killed".

local me = otp.self()

local looper, lref = otp.spawn_monitor(function(parent)
  otp.send(parent, "looping")
  while true do end
end, me)
assert(otp.receive(function(m) return m == "looping" end, 2000), "the looper never started")

local ponger = otp.spawn(function()
  while true do
    local m = otp.receive(nil, 5000)
    if type(m) ~= "table" then return end
    otp.send(m.from, { "pong", m.n })
  end
end)

for i = 1, 500 do
  otp.send(ponger, { from = me, n = i })
  local r = otp.receive(function(m) return type(m) == "table" and m[1] == "pong" end, 2000)
  assert(r, "no pong " .. i .. " within 2 s while a process spins")
  assert(r[2] == i, "pong " .. tostring(r[2]) .. " arrived when " .. i .. " was expected")
end
otp.send(ponger, "stop")

assert(otp.is_alive(looper), "the looper died on its own")
local r1 = otp.process_info(looper, "reductions")
assert(type(r1) == "number", "process_info(looper, 'reductions') is " .. tostring(r1))
otp.send(me, "tick")                       -- let the scheduler run the looper again
assert(otp.receive(function(m) return m == "tick" end, 2000))
local grown = false
for _ = 1, 50 do
  otp.yield()
  if otp.process_info(looper, "reductions") > r1 then grown = true break end
end
assert(grown, "the looper's reductions did not grow: it is not being scheduled")

assert(otp.exit(looper, "kill") == true, "otp.exit(pid, 'kill') did not return true")
local down = otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == lref end, 2000)
assert(down, "no DOWN within 2 s after killing the looper")
assert(down[3] == "process" and down[4] == looper, "malformed DOWN")
assert(down[5] == "killed", "the looper's DOWN reason is " .. tostring(down[5]) .. ", expected 'killed'")
assert(not otp.is_alive(looper), "the looper is alive after its DOWN")
