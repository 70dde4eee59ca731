-- otp.expect itself (API.md section 6): what passes, what fails, and how a
-- failure reads ("expectation failed: ..." at the caller's line).
local expect = require "otp.expect"
local main = otp.self()
local SRC = debug.getinfo(1, "S").short_src

-- Runs fn, which must fail an expectation on the line it reports; returns
-- the message without its "source:line: " prefix.
local function failure(fn)
  local ok, err = pcall(fn)
  assert(not ok, "the expectation should have failed")
  assert(type(err) == "string", "a failure is a string error")
  local src, line, rest = err:match("^(.-):(%d+): (.*)$")
  assert(src == SRC, "the failure points at this file: " .. err)
  assert(rest:sub(1, 20) == "expectation failed: ", "the failure says so: " .. err)
  return rest:sub(21), tonumber(line)
end

local function line_of_next() return debug.getinfo(2, "l").currentline + 1 end

-- The module is shared and read-only, and otp.expect is the same module.
assert(otp.expect == expect)
assert(not pcall(function() expect.extra = 1 end), "module tables are read-only")

-- eq: deep structure, identity for pids/refs, integer vs float kept apart.
expect.eq({"EXIT", main, "normal"}, {"EXIT", main, "normal"})
expect.eq({a = {b = {1, 2}}, [3] = "x"}, {a = {b = {1, 2}}, [3] = "x"})
local r = otp.make_ref()
expect.eq({r}, {r})
expect.eq({"error", "boom", "trace"}, {"error", "boom", otp._}, "otp._ matches anything")
do
  local c1, c2 = {}, {}
  c1.self = c1; c2.self = c2
  expect.eq(c1, c2, "cycles compare")
end
assert(not expect.equal(1, 1.0), "1 and 1.0 differ")
assert(not expect.equal({r}, {otp.make_ref()}), "refs compare by identity")
assert(not expect.equal({1}, {1, 2}), "a missing key is a difference")
assert(not expect.equal(nil, otp._), "otp._ does not match nil")

do
  local l = line_of_next()
  local msg, line = failure(function() expect.eq({"EXIT", main, "killed"}, {"EXIT", main, "kill"}, "reason") end)
  expect.eq(line, l, "the failure points at the failing line")
  expect.eq(msg, 'reason: expected {"EXIT", ' .. tostring(main) .. ', "kill"}, got {"EXIT", ' ..
                 tostring(main) .. ', "killed"} (first difference at [3]: expected "kill", got "killed")')
  local m2 = failure(function() expect.eq(1, 1.0) end)
  expect.eq(m2, "expected 1.0, got 1")
end

-- truthy / falsy / alive / dead.
expect.truthy(0); expect.truthy("")
expect.falsy(nil); expect.falsy(false)
expect.eq(failure(function() expect.truthy(nil, "thing") end), "thing: expected a truthy value, got nil")
do
  local p, ref = otp.spawn_monitor(function() otp.receive() end)
  expect.alive(p)
  expect.truthy(failure(function() expect.dead(p) end):find("to be dead", 1, true))
  otp.send(p, "stop")
  expect.receive({"DOWN", ref})
  expect.dead(p)
  expect.truthy(failure(function() expect.alive(p) end):find("to be alive", 1, true))
end

-- exit_reason: waits on a monitor; a dead pid reports noproc; a timeout fails.
do
  local p = otp.spawn(function() otp.exit(otp.receive()) end)
  otp.send(p, {"bye", 1})
  expect.eq(expect.exit_reason(p, {"bye", 1}), {"bye", 1})
  expect.exit_reason(p, "noproc")           -- already dead: noproc
  local msg = failure(function() expect.exit_reason(p, "normal") end)
  expect.truthy(msg:find('exited with reason "noproc", expected "normal"', 1, true), msg)
  local q = otp.spawn(function() otp.receive() end)
  local m2 = failure(function() expect.exit_reason(q, "normal", 20) end)
  expect.truthy(m2:find("did not exit within 20 ms", 1, true), m2)
  expect.eq(otp.process_info(main, "monitors"), {}, "the monitor was removed")
  otp.send(q, "stop")
  expect.exit_reason(q, function(reason) return reason == "normal" end)
end

-- eventually: retries with bounded waits, staying responsive to messages.
do
  local deadline = otp.monotonic_time() + 30
  expect.eq(expect.eventually(function() return otp.monotonic_time() >= deadline and "done" end), "done")
  local n = 0
  expect.eq(expect.eventually(function() n = n + 1; expect.eq(n, 3); return n end), 3,
            "a failed expectation inside counts as not yet")
  otp.send(main, "kept")
  local msg = failure(function() expect.eventually(function() return false end, 20) end)
  expect.truthy(msg:find("did not hold within 20 ms", 1, true), msg)
  expect.eq(otp.receive(nil, 0), "kept", "eventually never takes messages")
end

-- receive / no_message / error.
do
  otp.send(main, {"a", 1})
  expect.eq(expect.receive({"a"}, 0), {"a", 1})
  expect.no_message({"a"})
  local msg = failure(function() expect.receive({"b"}, 10) end)
  expect.truthy(msg:find("arrived within 10 ms", 1, true), msg)
  otp.send(main, "here")
  expect.truthy(failure(function() expect.no_message("here") end):find('but got "here"', 1, true))
  expect.eq(expect.error(function() error("badarg: nope", 0) end, "badarg"), "badarg: nope")
  failure(function() expect.error(function() end, "badarg") end)
  failure(function() expect.error(function() error("other", 0) end, "badarg") end)
end
