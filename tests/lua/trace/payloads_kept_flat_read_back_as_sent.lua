-- Proves: a traced message is read back (events(), and a subscriber's copy)
-- with exactly what was sent, whatever way the session keeps it: short
-- arrays of scalars (kept as bytes in the record: integers stay integers,
-- floats floats, a pid the same pid), arrays with a hash key, a nested
-- table, a ref, a long string, past the record's room, past the cap
-- (max_payload); send and receive events carry the same message; a full
-- ring that wraps keeps the newest events' messages; messages received
-- long after they were sent (40 queued) carry what was sent.
local expect = require "otp.expect"
local me = otp.self()
local ref = otp.make_ref()
local messages = {
  {"token", 1}, {"f", 2.0, -0.5, 1e300}, {true, false, "x"}, {"pid", me},
  {"hash", 1, key = "v"}, {"nested", {1, 2}}, {"ref", ref},
  {string.rep("s", 300)}, {string.rep("a", 20), string.rep("b", 20), 7},
  {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {math.mininteger, math.maxinteger},
  {"past the cap", string.rep("c", 5000)},
}

-- an echo: every message comes back, so each is sent and received twice
local echo = otp.spawn(function(to)
  while true do
    local m = otp.receive()
    if m == "stop" then return end
    otp.send(to, m)
  end
end, me)

local sub = {}
local subscriber = otp.spawn(function()
  while true do
    local m = otp.receive()
    if m == "report" then break end
    sub[#sub + 1] = m[2]
  end
  otp.send(me, {"subscriber", sub})
end)
local s = otp.trace.start{kinds = {"send", "receive"}, to = subscriber}
for _, m in ipairs(messages) do
  otp.send(echo, m)
  expect.eq(otp.receive(), m)
end
s:stop()

local function shape(v)    -- types included: 2 and 2.0 differ here
  if type(v) ~= "table" then return math.type(v) or v end
  local t = {}
  for k, x in pairs(v) do t[k] = shape(x) end
  return t
end
local function expected(m)
  -- counted: the table 56, each slot and key 2 * 16, the strings 24 + length
  if m[1] == "past the cap" then return {"truncated", 56 + 64 + 48 + 12 + 5000} end
  return m
end
local events = s:events()
expect.eq(#events, 4 * #messages, "both directions, sent and received")
for i, m in ipairs(messages) do
  for j = 1, 4 do
    local ev = events[4 * (i - 1) + j]
    expect.eq(ev.kind, j % 2 == 1 and "send" or "receive", "event order")
    expect.eq(ev.msg, expected(m), "message " .. i .. ", event " .. j)
    if ev.msg ~= nil and m[1] ~= "past the cap" then
      expect.eq(shape(ev.msg), shape(m), "number types of message " .. i)
    end
    expect.eq(ev.truncated, m[1] == "past the cap" or nil, "truncated flag " .. i)
  end
end
expect.eq(rawequal(events[13].msg[2], me), true, "the pid is the same pid")
expect.eq(rawequal(events[25].msg[2], ref), true, "the ref is the same ref")

otp.send(subscriber, "report")
local got = otp.receive(otp.match{"subscriber", otp._}, 10000)
expect.eq(#got[2], #events, "the subscriber saw every event")
for i, ev in ipairs(events) do expect.eq(got[2][i].msg, ev.msg, "subscriber event " .. i) end

-- a ring of 8 that wraps past messages kept either way
local w = otp.trace.start{kinds = {"send"}, max_events = 8}
for i = 1, 20 do
  otp.send(echo, i % 2 == 0 and {"flat", i} or {"deep", {i}})
  otp.receive()
end
w:stop()
local kept = w:events()
expect.eq(#kept, 8)
for k, ev in ipairs(kept) do
  local i = 16 + (k + 1) // 2      -- two sends per message: to echo and back
  expect.eq(ev.msg, i % 2 == 0 and {"flat", i} or {"deep", {i}}, "wrapped event " .. k)
end
otp.send(echo, "stop")

-- 40 messages queued before their receiver takes any
local hold = otp.spawn(function(to)
  otp.receive(function(m) return m == "go" end)
  for _ = 1, 40 do otp.receive() end
  otp.send(to, "held")
end, me)
local q = otp.trace.start{kinds = {"send", "receive"}}
for i = 1, 40 do otp.send(hold, i % 3 == 0 and {"deep", {i}} or {"flat", i, i / 2}) end
otp.send(hold, "go")
expect.eq(otp.receive(nil, 10000), "held")
q:stop()
local sent, received = {}, {}
for _, ev in ipairs(q:events()) do
  if type(ev.msg) == "table" then
    local list = ev.kind == "send" and sent or received
    list[#list + 1] = ev.msg
  end
end
expect.eq(#sent, 40)
expect.eq(received, sent, "each receive event carries what was sent")
for i = 1, 40 do
  if i % 3 ~= 0 then expect.eq(shape(sent[i]), shape({"flat", i, i / 2}), "number types " .. i) end
end
