-- Proves (API.md section 4, issue 4): a subscriber that never receives does
-- not block or slow the traced process: past max_queue queued messages its
-- events are dropped and counted in status().dropped_to_subscriber; with a
-- filter and `to`, only the kept events are streamed; payloads bigger than
-- max_payload become {"truncated", bytes_estimate}; events name pids by
-- registered name and label. Waits on messages only.

local failures = {}
local function check(cond, what) if not cond then failures[#failures + 1] = what end end
local me = otp.self()

local sink = otp.spawn(function() while otp.receive(nil, 10000) ~= "stop" do end end)
local p = otp.spawn(function(sink, me)
  while true do
    local m = otp.receive(nil, 10000)
    if type(m) ~= "table" then return end
    if m[1] == "go" then
      for i = 1, m[2] do otp.send(sink, {m[3], i}) end
    elseif m[1] == "payload" then
      otp.send(sink, m[2])
    elseif m[1] == "label" then
      otp.set_label(m[2])
    end
    otp.send(me, {"done", m[1]})
  end
end, sink, me)
local function ask(m)
  otp.send(p, m)
  assert(otp.receive(function(r) return type(r) == "table" and r[1] == "done" and r[2] == m[1] end, 10000),
    "p did not answer " .. tostring(m[1]))
end

-- 1. a subscriber that never receives
local slow = otp.spawn(function() otp.receive(function(m) return m == "wake" end, 10000) end)
local ref = otp.monitor(slow)
local s = otp.trace.start{pids = {p}, kinds = {"send"}, to = slow, max_queue = 50}
ask({"go", 2000, "n"})
s:stop()
local st = s:status()
-- p's 2000 sends and its "done", and the "go" sent to p (both directions)
check(st.recorded == 2002, "recorded " .. tostring(st.recorded) .. " events, expected 2002")
check(st.dropped_to_subscriber == 2002 - 50,
  "dropped_to_subscriber is " .. tostring(st.dropped_to_subscriber) .. ", expected " .. 2002 - 50)
check(otp.process_info(slow, "message_queue_len") == 50, "the slow subscriber's queue is not capped at 50")
otp.send(slow, "wake")
assert(otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, 5000))

-- 2. filter + to: only kept events are streamed (through the relay process)
local f = otp.trace.start{pids = {p}, kinds = {"send"}, to = me,
  filter = function(ev) return type(ev.msg) == "table" and ev.msg[1] == "keep" end}
ask({"go", 3, "drop"})
ask({"go", 4, "keep"})
local got = {}
while #got < 4 do
  local m = otp.receive(function(m) return type(m) == "table" and m[1] == "trace" end, 5000)
  assert(m, "only " .. #got .. " filtered trace events arrived of 4")
  got[#got + 1] = m[2]
end
for i, ev in ipairs(got) do
  check(ev.msg[1] == "keep" and ev.msg[2] == i, "streamed event " .. i .. " is not the kept send " .. i)
end
local relay = f:status().relay
check(otp.is_alive(relay), "the relay is not running")
local rref = otp.monitor(relay)
f:stop()
assert(otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == rref end, 5000),
  "the relay did not end with its session")
check(otp.receive(function(m) return type(m) == "table" and m[1] == "trace" end, 0) == nil,
  "an event the filter rejects was streamed")

-- 3. payload cap
local cap = otp.trace.start{pids = {p}, kinds = {"send"}, max_payload = 256}
local big = {}
for i = 1, 1000 do big[i] = i end
local cyc = {name = "c"}
cyc.self = cyc
ask({"payload", big})
ask({"payload", string.rep("x", 100000)})
ask({"payload", cyc})
cap:stop()
local evs = cap:events(function(ev) return ev.to == sink end)
check(#evs == 3, "expected 3 payload sends, got " .. #evs)
local e1, e2, e3 = evs[1], evs[2], evs[3]
check(type(e1.msg) == "table" and e1.msg[1] == "truncated" and e1.msg[2] > 256 and e1.truncated == true,
  "a 1000-element table was not replaced by {'truncated', n > 256}")
check(type(e2.msg) == "table" and e2.msg[1] == "truncated" and e2.msg[2] >= 100000,
  "a 100 KB string was not replaced by {'truncated', n >= 100000}")
check(type(e3.msg) == "table" and e3.msg.name == "c" and e3.msg.self == e3.msg and not e3.truncated,
  "a small cyclic table was not copied whole with its cycle")
-- the two big payloads, each also in the request that carried it to p
check(cap:status().truncated == 4, "status().truncated is " .. tostring(cap:status().truncated) .. ", expected 4")
-- the default cap is 4096 bytes
local def = otp.trace.start{pids = {p}, kinds = {"send"}}
ask({"payload", big})
def:stop()
local d = def:events(function(ev) return ev.to == sink end)[1]
check(d and d.msg[1] == "truncated", "the default cap let a 1000-element table through")

-- 4. names and labels
otp.register("trace_worker", p)
otp.register("trace_sink", sink)
local named = otp.trace.start{pids = {p}, kinds = {"send"}}
ask({"label", "the worker"})
ask({"go", 1, "n"})
named:stop()
local ev = named:events(function(e) return e.to == sink end)[1]
check(ev and ev.pid_name == "trace_worker", "the event has no pid_name 'trace_worker'")
check(ev and ev.to_name == "trace_sink", "the event has no to_name 'trace_sink'")
check(ev and ev.pid_label == "the worker", "the event has no pid_label 'the worker'")

otp.send(p, "stop"); otp.send(sink, "stop")
if #failures > 0 then error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0) end
