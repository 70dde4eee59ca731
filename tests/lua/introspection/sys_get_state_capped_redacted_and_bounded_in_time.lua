-- Safe introspection of servers (issue 4), following OTP:
--  * sys.get_state returns the RAW state (OTP: format_status does not apply
--    to sys:get_state), but the copy is capped: over max_bytes (default
--    sys.MAX_STATE_BYTES) it is {"truncated", max_bytes=, partial=}.
--  * sys.get_status shows format_status(state) (redaction), under the same
--    cap; a format_status that raises shows "<name>:format_status/1
--    crashed", never the raw state (OTP's gen.erl).
--  * no sys call blocks forever: past the timeout (default 5000 ms) the
--    caller exits {"timeout", {"sys", fname, args}}, as in OTP.
local expect = require "otp.expect"
local gen_server, sys = otp.gen_server, otp.sys

local mod = {name = "vault"}
function mod.init(s) return "ok", s end
function mod.handle_call(req, from, s)
  if req == "grow" then
    for i = 1, 5000 do s.items[i] = string.rep("z", 100) end
  end
  return "reply", true, s
end
function mod.format_status(s) return {user = s.user, password = "***"} end

local server = assert(gen_server.start_link(mod, {user = "ann", password = "hunter2", items = {}}))

-- get_state: raw; get_status: redacted
expect.eq(sys.get_state(server), {user = "ann", password = "hunter2", items = {}})
expect.eq(sys.get_status(server).state, {user = "ann", password = "***"})

-- a state over the cap: the marker and a bounded partial copy
gen_server.call(server, "grow")                 -- ~620 KB of items
local full = sys.get_state(server)              -- under the 1 MiB default
expect.eq(#full.items, 5000)
local capped = sys.get_state(server, 1000, 4096)
expect.eq(capped[1], "truncated")
expect.eq(capped.max_bytes, 4096)
local part = capped.partial
expect.eq(type(part), "table")
local n = 0
for _ in pairs(part.items or {}) do n = n + 1 end
expect.truthy(n < 5000, "the partial copy is bounded")
local left_out = (part.items and part.items["$truncated"]) or part["$truncated"]
expect.truthy(type(left_out) == "number" and left_out > 0, "it says how much was left out")
expect.eq(sys.get_state(server, 1000, "infinity"), full)
expect.error(function() sys.get_state(server, 1000, -1) end, "badarg")

-- a long string is cut with "..."
do
  local s1 = {}
  function s1.init(v) return "ok", v end
  local p = assert(gen_server.start(s1, string.rep("a", 10000)))
  local c = sys.get_state(p, nil, 1000)
  expect.eq(c[1], "truncated")
  expect.truthy(#c.partial < 1000 and c.partial:sub(-3) == "...", c.partial)
  gen_server.stop(p)
end

-- a cyclic state is measured once per table (fits) and copied as a cycle
do
  local s2 = {}
  function s2.init() local t = {k = 1}; t.me = t; return "ok", t end
  local p = assert(gen_server.start(s2))
  local st = sys.get_state(p)
  expect.truthy(st.me == st and st.k == 1)
  gen_server.stop(p)
end

-- get_status is capped as well (format_status's result is what is measured)
do
  local s3 = {}
  function s3.init() return "ok", {blob = string.rep("b", 2 * 1024 * 1024)} end
  local p = assert(gen_server.start(s3))
  local st = sys.get_status(p).state
  expect.eq(st[1], "truncated")
  expect.eq(st.max_bytes, sys.MAX_STATE_BYTES)
  gen_server.stop(p)
end

-- a crashing format_status never leaks the raw state
do
  local s4 = {name = "leaky"}
  function s4.init() return "ok", {password = "hunter2"} end
  function s4.format_status() error("oops") end
  local p = assert(gen_server.start(s4))
  expect.eq(sys.get_status(p).state, "leaky:format_status/1 crashed")
  expect.eq(sys.get_state(p), {password = "hunter2"})
  gen_server.stop(p)
end

-- never blocks forever: a process that ignores system messages
local mute = otp.spawn(function() otp.receive(function(m) return m == "stop" end) end)
local ok, e = pcall(sys.get_state, mute, 50)
expect.eq({ok, e}, {false, {"EXIT", {"timeout", {"sys", "get_state", {mute, 50}}}}})
local t0 = otp.monotonic_time()
ok, e = pcall(sys.get_status, mute, 30)
expect.eq({ok, e}, {false, {"EXIT", {"timeout", {"sys", "get_status", {mute, 30}}}}})
expect.truthy(otp.monotonic_time() - t0 < 1000)
-- a suspended server answers system messages, so get_state still works
sys.suspend(server)
expect.eq(sys.get_state(server, 1000, 100)[1], "truncated")
sys.resume(server)
otp.send(mute, "stop")
-- dead: noproc, at once
expect.eventually(function() return not otp.is_alive(mute) end)
ok, e = pcall(sys.get_state, mute)
expect.eq({ok, e}, {false, {"EXIT", {"noproc", {"sys", "get_state", {mute}}}}})
gen_server.stop(server)
