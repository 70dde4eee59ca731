-- Proves (API.md section 4, issue 4): two sessions with different filters
-- see different events (filters run when events are read, never at the trace
-- point); a ring of 1000 keeps exactly the newest 1000 of 20,000 events and
-- reports 19,000 dropped; a session past its `rate` stops itself with
-- stopped_because = "rate". Waits on messages only.

local failures = {}
local function check(cond, what) if not cond then failures[#failures + 1] = what end end
local me = otp.self()

local function is(tag) return function(m) return type(m) == "table" and m[1] == tag end end

-- a sink that takes every message
local sink = otp.spawn(function()
  while otp.receive(nil, 10000) ~= "stop" do end
end)

-- p waits for {"go", n, tag}, sends n messages {tag, i} to sink, then {"done"} to me
local p = otp.spawn(function(sink, me)
  while true do
    local m = otp.receive(nil, 10000)
    if type(m) ~= "table" then return end
    for i = 1, m[2] do otp.send(sink, {m[3], i}) end
    otp.send(me, {"done", m[3]})
  end
end, sink, me)
local function run(n, tag)
  otp.send(p, {"go", n, tag})
  assert(otp.receive(function(m) return type(m) == "table" and m[1] == "done" and m[2] == tag end, 10000),
    "p did not finish " .. tag)
end

-- 1. two sessions, two filters
local sa = otp.trace.start{pids = {p}, kinds = {"send"},
  filter = function(ev) return type(ev.msg) == "table" and ev.msg[1] == "a" end}
local sb = otp.trace.start{pids = {p}, kinds = {"send"},
  filter = function(ev) return type(ev.msg) == "table" and ev.msg[1] == "b" end}
run(5, "a")
run(7, "b")
sa:stop(); sb:stop()
local ea, eb = sa:events(), sb:events()
check(#ea == 5, "session a sees " .. #ea .. " events, expected its 5 'a' sends")
check(#eb == 7, "session b sees " .. #eb .. " events, expected its 7 'b' sends")
for _, ev in ipairs(ea) do check(ev.msg[1] == "a", "session a saw a non-'a' event") end
for _, ev in ipairs(eb) do check(ev.msg[1] == "b", "session b saw a non-'b' event") end
-- the ring holds what the pids/kinds selected; the filter is applied on reading
-- 5 + 7 sends and 2 "done" by p, and the 2 "go" requests sent TO p (a traced
-- pid's traffic in both directions)
check(sa:status().events == 16, "session a's ring holds " .. sa:status().events .. " raw events, expected 16")
-- events(f) narrows further, after the session's filter
check(#sb:events(function(ev) return ev.msg[2] <= 3 end) == 3, "events(f) did not apply f after the session filter")

-- 2. a ring of 1000 keeps the newest 1000 of 20,000
local ring = otp.trace.start{pids = {p}, kinds = {"send"}, max_events = 1000}
run(19999, "r")   -- 19,999 sends to the sink plus the "done" to me: 20,000 events
ring:stop()
local evs = ring:events()
local st = ring:status()
check(#evs == 1000, "the ring holds " .. #evs .. " events, expected 1000")
check(st.events == 1000 and st.dropped == 19001,      -- 20,000 sends and the "go" to p
  "status() events/dropped are " .. st.events .. "/" .. st.dropped .. ", expected 1000/19001")
check(st.recorded == 20001, "status().recorded is " .. tostring(st.recorded) .. ", expected 20001")
local consecutive = true
for i = 2, #evs do if evs[i].seq ~= evs[i - 1].seq + 1 then consecutive = false end end
check(consecutive, "the kept events are not the consecutive newest ones")
check(evs[1000].to == me and evs[1000].msg[1] == "done", "the newest event is not the final 'done' send")
check(evs[999].msg[1] == "r" and evs[999].msg[2] == 19999, "the event before it is not send number 19999")
check(evs[1].msg[2] == 19999 - 998, "the oldest kept event is send " .. tostring(evs[1].msg[2]) .. ", expected 19001")

-- 3. a rate-limited session stops itself
local limited = otp.trace.start{pids = {p}, kinds = {"send"}, rate = 100}
run(1000, "x")
st = limited:status()
check(st.active == false, "the rate-limited session is still active after 1000 sends")
check(st.stopped_because == "rate", "stopped_because is " .. tostring(st.stopped_because) .. ", expected 'rate'")
check(st.events >= 100 and st.events < 1000, "the rate-limited session recorded " .. st.events .. " events")
check(st.rate == 100, "status().rate is not 100")
local before = st.events
run(10, "y")
check(limited:status().events == before, "a session stopped by its rate kept recording")

-- bad options are badarg
check(not pcall(otp.trace.start, {rate = 0}), "rate = 0 was accepted")
check(not pcall(otp.trace.start, {filter = 3}), "a non-function filter was accepted")
check(not pcall(otp.trace.start, {max_queue = -1}), "max_queue = -1 was accepted")

otp.send(p, "stop"); otp.send(sink, "stop")
if #failures > 0 then error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0) end
