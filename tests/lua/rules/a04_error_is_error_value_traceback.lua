-- A4: error(E) -> {E, Stack}; in Lua terms an uncaught error(E) ends the
-- process with reason {"error", E, traceback_string}.
-- (Lua has no throw: the {{nocatch, V}, Stack} clause has no Lua spelling.)
local expect = require "otp.expect"
local main = otp.self()
otp.log_level("none")     -- the crash reports are expected

local function crash_reason(fn, ...)
  local p, ref = otp.spawn_monitor(fn, ...)
  local down = expect.receive({"DOWN", ref})
  expect.eq(down[1], "DOWN"); expect.eq(down[2], ref)
  expect.eq(down[3], "process"); expect.eq(down[4], p)
  local r = down[5]
  expect.eq(type(r), "table", "the reason is a table")
  expect.eq(r[1], "error")
  expect.eq(type(r[3]), "string", "the traceback is a string")
  expect.truthy(r[3]:find("traceback", 1, true), "the traceback mentions 'traceback': " .. r[3])
  expect.eq(#r, 3, "exactly {\"error\", E, traceback}")
  return r, p
end

-- 1. error(msg, 0): E is the message itself.
do
  local r = crash_reason(function() error("boom", 0) end)
  expect.eq(r[2], "boom")
end

-- 2. error(msg): E carries Lua's position prefix "source:line: msg".
do
  local r = crash_reason(function() error("boom") end)
  expect.truthy(type(r[2]) == "string" and r[2]:match("a04_error_is_error_value_traceback%.lua:%d+: boom$"),
                "position-prefixed message, got " .. tostring(r[2]))
end

-- 3. error(table): E is the table (a copy, deep-equal).
do
  local r = crash_reason(function() error({code = 42, info = {"a", "b"}}) end)
  expect.eq(r[2], {code = 42, info = {"a", "b"}})
end

-- 4. A runtime error (not an explicit error call) is the same shape.
do
  local r = crash_reason(function() local t = nil; return t.field end)
  expect.truthy(r[2]:find("attempt to index", 1, true), r[2])
end

-- 5. The traceback names the function that failed (its source file).
do
  local r = crash_reason(function()
    local function inner() error("deep", 0) end
    inner()
  end)
  expect.eq(r[2], "deep")
  expect.truthy(r[3]:find("a04_error_is_error_value_traceback.lua", 1, true), r[3])
end

-- 6. Links see the same reason: a trapping linked process gets
-- {"EXIT", P, {"error", E, traceback}}; a non-trapping one dies with it.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(function() otp.receive(); error("linked boom", 0) end)
  local q = otp.spawn(function(target, boss)
    otp.link(target)
    otp.send(boss, {"linked", otp.self()})
    otp.receive()
  end, p, main)
  expect.receive({"linked", q})
  local qref = otp.monitor(q)
  otp.send(p, "go")
  local ex = expect.receive({"EXIT", p})
  expect.eq(ex, {"EXIT", p, {"error", "linked boom", otp._}})
  expect.eq(type(ex[3][3]), "string")
  local down = expect.receive({"DOWN", qref})
  expect.eq(down, {"DOWN", qref, "process", q, ex[3]}, "the peer dies with the same reason")
  otp.trap_exit(false)
end

-- 7. expect.exit_reason with a wildcard.
do
  local p = otp.spawn(function() otp.receive(); error("x", 0) end)
  otp.send(p, "go")
  expect.exit_reason(p, {"error", "x", otp._})
end
