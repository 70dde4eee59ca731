-- Proves: the node's introspection calls (API.md section 2) report what
-- happens: otp.statistics keys process_count, run_queue, reductions
-- ({total, since_last_call}), context_switches, messages_sent move with the
-- work done; otp.processes() lists live processes only; otp.node() is
-- "nonode@nohost"; monotonic_time/system_time units agree with each other;
-- set_label shows up in process_info.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local me = otp.self()

local function first(v)            -- Erlang returns some statistics as tuples
  if type(v) == "table" then return v[1] end
  return v
end

-- otp.node()
check(otp.node() == "nonode@nohost", "otp.node() is " .. tostring(otp.node()))

-- process_count and otp.processes() follow spawns and exits.
local count0 = otp.statistics("process_count")
check(math.type(count0) == "integer" and count0 >= 1, "process_count is " .. tostring(count0))
local waiters, refs = {}, {}
for i = 1, 5 do
  waiters[i], refs[i] = otp.spawn_monitor(function()
    otp.receive(function(m) return m == "stop" end, 10000)
  end)
end
check(otp.statistics("process_count") == count0 + 5,
  "process_count after 5 spawns is " .. tostring(otp.statistics("process_count")) .. ", expected " .. count0 + 5)
local listed = {}
for _, p in ipairs(otp.processes()) do listed[p] = true end
check(listed[me], "otp.processes() does not list the calling process")
for i = 1, 5 do check(listed[waiters[i]], "otp.processes() misses a live process " .. tostring(waiters[i])) end
for i = 1, 5 do otp.send(waiters[i], "stop") end
for i = 1, 5 do
  assert(otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == refs[i] end, 2000),
    "a waiter did not stop")
end
check(otp.statistics("process_count") == count0,
  "process_count after the 5 exited is " .. tostring(otp.statistics("process_count")) .. ", expected " .. count0)
listed = {}
for _, p in ipairs(otp.processes()) do listed[p] = true end
for i = 1, 5 do check(not listed[waiters[i]], "otp.processes() still lists a dead process") end

-- run_queue: an integer; runnable processes are counted.
local rq = otp.statistics("run_queue")
check(math.type(rq) == "integer" and rq >= 0, "run_queue is " .. tostring(rq))
local spinners = {}
for i = 1, 3 do
  spinners[i] = otp.spawn(function() while true do otp.yield() end end)
end
otp.yield()
check(otp.statistics("run_queue") >= 2, "run_queue with 3 runnable processes is " .. tostring(otp.statistics("run_queue")))
for i = 1, 3 do otp.exit(spinners[i], "kill") end

-- messages_sent, context_switches and reductions grow with a ping-pong.
local sent0 = otp.statistics("messages_sent")
local cs0 = first(otp.statistics("context_switches"))
local red = otp.statistics("reductions")
check(type(red) == "table" and math.type(red[1]) == "integer" and math.type(red[2]) == "integer",
  "reductions should be {total, since_last_call}, got " .. tostring(red))
check(math.type(sent0) == "integer", "messages_sent is " .. tostring(sent0))
check(math.type(cs0) == "integer", "context_switches is " .. tostring(cs0))
local ponger = otp.spawn(function()
  for _ = 1, 20 do
    local m = otp.receive(nil, 2000)
    if not m then return end
    otp.send(m, "pong")
    local x = 0
    for k = 1, 10000 do x = x + k end     -- some work to count
  end
end)
for _ = 1, 20 do
  otp.send(ponger, me)
  assert(otp.receive(function(m) return m == "pong" end, 2000), "no pong")
end
local sent1 = otp.statistics("messages_sent")
check(sent1 - sent0 >= 40, "messages_sent grew by " .. tostring(sent1 - sent0) .. " after 40 messages")
local cs1 = first(otp.statistics("context_switches"))
check(cs1 - cs0 >= 20, "context_switches grew by " .. tostring(cs1 - cs0) .. " after 20 round trips")
local red1 = otp.statistics("reductions")
check(type(red1) == "table" and red1[1] > red[1], "total reductions did not grow")
check(type(red1) == "table" and red1[2] > 0 and red1[2] <= red1[1] - red[1],
  "reductions since last call is not the growth since the last call: {" .. tostring(red1[1]) .. ", "
  .. tostring(red1[2]) .. "} after a total of " .. tostring(red[1]))
local red2 = otp.statistics("reductions")
check(type(red2) == "table" and red2[2] <= red1[2], "reductions since last call was not reset by the call")

local ok, err = pcall(otp.statistics, "no_such_key")
check(not ok and tostring(err):sub(1, 7) == "badarg:", "statistics('no_such_key') is not a badarg: " .. tostring(err))

-- Time units: integers that agree with each other.
local units = { "second", "millisecond", "microsecond", "nanosecond" }
local mono, sys = {}, {}
for i, u in ipairs(units) do
  mono[i] = otp.monotonic_time(u)
  sys[i] = otp.system_time(u)
  check(math.type(mono[i]) == "integer", "monotonic_time('" .. u .. "') is not an integer")
  check(math.type(sys[i]) == "integer", "system_time('" .. u .. "') is not an integer")
end
local ms_default = otp.monotonic_time()
check(math.type(ms_default) == "integer" and ms_default >= mono[2] and ms_default - mono[2] < 1000,
  "monotonic_time() is not in milliseconds")
check(math.abs(mono[2] // 1000 - mono[1]) <= 1, "monotonic seconds and milliseconds disagree")
check(math.abs(mono[3] // 1000 - mono[2]) <= 1000, "monotonic milliseconds and microseconds disagree")
check(math.abs(mono[4] // 1000 - mono[3]) <= 1000000, "monotonic microseconds and nanoseconds disagree")
check(math.abs(sys[1] - os.time()) <= 2, "system_time('second') is not the wall clock: " .. sys[1] .. " vs " .. os.time())
check(math.abs(sys[2] // 1000 - sys[1]) <= 1, "system seconds and milliseconds disagree")
check(math.abs(otp.system_time() // 1000 - sys[1]) <= 1, "system_time() is not in milliseconds")
local t1 = otp.monotonic_time("nanosecond")
local t2 = otp.monotonic_time("nanosecond")
check(t2 >= t1, "monotonic_time went backwards")
local ok2, err2 = pcall(otp.monotonic_time, "fortnight")
check(not ok2 and tostring(err2):sub(1, 7) == "badarg:", "an unknown time unit is not a badarg")

-- set_label is visible in process_info, for oneself and for another process.
otp.set_label("the scenario")
check(otp.process_info(me, "label") == "the scenario", "set_label is not visible in process_info(self, 'label')")
check(otp.process_info(me).label == "the scenario", "set_label is not visible in process_info(self).label")
local labelled = otp.spawn(function(parent)
  otp.set_label("worker 7")
  otp.send(parent, "labelled")
  otp.receive(function(m) return m == "stop" end, 5000)
end, me)
assert(otp.receive(function(m) return m == "labelled" end, 2000), "the labelled process did not answer")
check(otp.process_info(labelled, "label") == "worker 7",
  "another process's label is " .. tostring(otp.process_info(labelled, "label")))
check(otp.process_info(labelled).label == "worker 7", "process_info(p).label is missing")
otp.send(labelled, "stop")

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
