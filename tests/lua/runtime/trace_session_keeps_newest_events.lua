-- Proves: a minimal trace session (API.md section 4) records the chosen
-- kinds for the chosen pids, streams each event to `to` as {"trace", event},
-- keeps only the newest max_events in its ring (oldest first) while
-- status().dropped counts the rest, and records nothing after stop().
-- The test waits on the streamed events, never on sleeps.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local me = otp.self()

-- p answers every {from, n} with {"pong", n}.
local p = otp.spawn(function()
  while true do
    local m = otp.receive(nil, 10000)
    if type(m) ~= "table" then return end
    otp.send(m[1], { "pong", m[2] })
  end
end)

local MAX, ROUNDS = 5, 10
local session = otp.trace.start { pids = { p }, kinds = { "send", "receive" }, max_events = MAX, to = me }
check(type(session) == "userdata" or type(session) == "table", "otp.trace.start did not return a session")

-- Each round makes p receive once and send once: 2 events per round.
local streamed = {}
for n = 1, ROUNDS do
  otp.send(p, { me, n })
  assert(otp.receive(function(m) return type(m) == "table" and m[1] == "pong" and m[2] == n end, 2000),
    "no pong " .. n)
end
while #streamed < 2 * ROUNDS do
  local m = otp.receive(function(m) return type(m) == "table" and m[1] == "trace" end, 2000)
  assert(m, "only " .. #streamed .. " trace events arrived of " .. 2 * ROUNDS)
  streamed[#streamed + 1] = m[2]
end

local kinds = { send = 0, ["receive"] = 0 }
local last_seq = -math.huge
for i, ev in ipairs(streamed) do
  check(type(ev) == "table", "a streamed event is not a table")
  check(ev.pid == p, "event " .. i .. " is about " .. tostring(ev.pid) .. ", not the traced pid")
  check(ev.kind == "send" or ev.kind == "receive", "event " .. i .. " has kind " .. tostring(ev.kind))
  check(math.type(ev.seq) == "integer" and ev.seq > last_seq, "event seq numbers do not increase")
  check(math.type(ev.t_us) == "integer", "event " .. i .. " has no integer t_us")
  if kinds[ev.kind] then kinds[ev.kind] = kinds[ev.kind] + 1 end
  last_seq = ev.seq or last_seq
end
check(kinds.send == ROUNDS and kinds["receive"] == ROUNDS,
  "expected " .. ROUNDS .. " send and " .. ROUNDS .. " receive events, got " .. kinds.send .. " and " .. kinds["receive"])
-- The last event is p sending pong 10; its message is a copy of what was sent.
local lastev = streamed[#streamed]
check(lastev.kind == "send" and type(lastev.msg) == "table" and lastev.msg[1] == "pong" and lastev.msg[2] == ROUNDS,
  "the last event is not p's send of {'pong', " .. ROUNDS .. "}")

-- The ring holds the newest MAX, oldest first; the rest were dropped.
local ring = session:events()
check(#ring == MAX, "the ring holds " .. #ring .. " events, max_events is " .. MAX)
for i = 1, #ring do
  local want = streamed[#streamed - MAX + i]
  check(ring[i].seq == want.seq, "ring[" .. i .. "] has seq " .. tostring(ring[i].seq) .. ", expected the newest "
    .. MAX .. " oldest first (seq " .. tostring(want.seq) .. ")")
end
local st = session:status()
check(st.active == true, "status().active is not true while the session runs")
check(st.events == MAX, "status().events is " .. tostring(st.events) .. ", expected " .. MAX)
check(st.dropped == 2 * ROUNDS - MAX, "status().dropped is " .. tostring(st.dropped) .. ", expected " .. 2 * ROUNDS - MAX)
check(st.stopped_because == nil, "stopped_because is set on a running session")

-- events(filter) keeps those the filter accepts.
local sends = session:events(function(ev) return ev.kind == "send" end)
local expected_sends = 0
for _, ev in ipairs(ring) do if ev.kind == "send" then expected_sends = expected_sends + 1 end end
check(#sends == expected_sends, "events(filter) returned " .. #sends .. " events, expected " .. expected_sends)

-- Events of pids that are not traced are not recorded: the main process's
-- own sends above are absent.
for _, ev in ipairs(ring) do check(ev.pid ~= me, "an event of an untraced pid was recorded") end

-- stop(): nothing more is recorded or streamed.
session:stop()
st = session:status()
check(st.active == false, "status().active is still true after stop()")
check(st.stopped_because == "stopped", "stopped_because is " .. tostring(st.stopped_because) .. ", expected 'stopped'")
otp.send(p, { me, "after" })
assert(otp.receive(function(m) return type(m) == "table" and m[1] == "pong" and m[2] == "after" end, 2000),
  "no pong after stop")
-- p's receive event would have been streamed before its pong: poll now.
local extra = otp.receive(function(m) return type(m) == "table" and m[1] == "trace" end, 0)
check(extra == nil, "a trace event was streamed after stop()")
check(#session:events() == MAX, "the ring changed after stop()")

session:clear()
check(#session:events() == 0, "clear() left events in the ring")

-- A session ends by itself when its owner exits: a short-lived owner streams
-- p's events here, and after its DOWN nothing more is streamed.
do
  local owner, ref = otp.spawn_monitor(function(parent, target)
    otp.trace.start { pids = { target }, kinds = { "receive" }, to = parent }
    otp.send(parent, "tracing")
    otp.receive(function(m) return m == "exit now" end, 5000)
  end, me, p)
  assert(otp.receive(function(m) return m == "tracing" end, 2000), "the owner did not start its session")
  otp.send(p, { me, "owned" })
  assert(otp.receive(function(m) return type(m) == "table" and m[1] == "pong" and m[2] == "owned" end, 2000))
  local seen = otp.receive(function(m) return type(m) == "table" and m[1] == "trace" end, 0)
  check(seen ~= nil and seen[2].kind == "receive", "the owner's session streamed nothing while the owner lived")
  otp.send(owner, "exit now")
  assert(otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, 2000),
    "the owner did not exit")
  otp.send(p, { me, "orphan" })
  assert(otp.receive(function(m) return type(m) == "table" and m[1] == "pong" and m[2] == "orphan" end, 2000))
  local late = otp.receive(function(m) return type(m) == "table" and m[1] == "trace" end, 0)
  check(late == nil, "a session kept streaming after its owner exited")
end

otp.send(p, "stop")

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
