-- B4: an exception in a callback runs terminate({E, Stack}, S) and the
-- server exits with that same reason. In otplab an error(e) is the reason
-- {"error", e, traceback}; otp.exit(r) raised in a callback is exit class:
-- terminate(r), exit r. A crash in terminate itself replaces the reason.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(n) return "ok", n end
function mod.handle_call(req, from, n)
  if req == "crash" then error("call crashed") end
  return "reply", n, n
end
function mod.handle_cast(msg, n)
  if msg == "crash" then error({code = 42}) end       -- any value can be raised
  if msg == "exit" then otp.exit({"custom", n}) end
  return "noreply", n + 1
end
function mod.handle_info(msg, n)
  if msg == "crash" then local t = nil; return t.field end
  if msg == "crash terminate" then return "stop", "asked", n end
  return "noreply", n
end
function mod.terminate(reason, n)
  otp.send(main, {"terminate", reason, n})
  if reason == "asked" then error("terminate crashed") end
end

local function is_error(msg_part)
  return function(r)
    return type(r) == "table" and r[1] == "error" and type(r[3]) == "string" and
           r[3]:find("stack traceback", 1, true) ~= nil and
           (msg_part == nil or (type(r[2]) == "string" and r[2]:find(msg_part, 1, true) ~= nil))
  end
end

-- Starts a server, runs poke(server), returns the events seen: terminate's
-- message, then the DOWN.
local function crash_with(poke)
  local server = assert(gen_server.start(mod, 1))
  local mref = otp.monitor(server)
  poke(server)
  local t = expect.receive({"terminate"})
  local down = expect.receive({"DOWN", mref})
  expect.no_message(nil, 0)
  return server, t, down, mref
end

-- 1. error(string) in handle_cast... here handle_info: terminate gets
-- {"error", msg, traceback} and the DOWN carries the same value.
do
  local server, t, down, mref = crash_with(function(s) otp.send(s, "crash") end)
  expect.eq(t, {"terminate", otp._, 1})
  expect.truthy(is_error("attempt to index a nil value")(t[2]), expect.format(t[2]))
  expect.eq(down, {"DOWN", mref, "process", server, t[2]})
end

-- 2. error(table) in handle_cast: the raised value is kept as it is.
do
  local server, t, down, mref = crash_with(function(s) gen_server.cast(s, "crash") end)
  expect.eq(t, {"terminate", {"error", {code = 42}, otp._}, 1})
  expect.eq(down, {"DOWN", mref, "process", server, t[2]})
end

-- 3. otp.exit(r) in a callback: terminate(r), exit r.
do
  local server, t, down, mref = crash_with(function(s) gen_server.cast(s, "exit") end)
  expect.eq({t, down}, {{"terminate", {"custom", 1}, 1},
                        {"DOWN", mref, "process", server, {"custom", 1}}})
end

-- 4. error in handle_call: the caller exits with the crash reason,
-- after terminate ran.
do
  local server = assert(gen_server.start(mod, 7))
  local ok, e = pcall(gen_server.call, server, "crash")
  expect.eq(ok, false)
  local t = expect.receive({"terminate"})
  expect.eq(e, {"EXIT", {t[2], {"gen_server", "call", {server, "crash"}}}})
  expect.truthy(is_error("call crashed")(t[2]))
  expect.truthy(t[2][2]:find("b04_exception_in_callback_calls_terminate.lua:12", 1, true),
                "the error names the callback's line: " .. t[2][2])
end

-- 5. terminate itself crashes: its error becomes the exit reason.
do
  local server, t, down, mref = crash_with(function(s) otp.send(s, "crash terminate") end)
  expect.eq(t, {"terminate", "asked", 1})
  expect.eq(down, {"DOWN", mref, "process", server, otp._})
  expect.truthy(is_error("terminate crashed")(down[5]), expect.format(down[5]))
end

-- 6. A linked parent that traps exits sees the same reason in its EXIT.
do
  otp.trap_exit(true)
  local server = assert(gen_server.start_link(mod, 5))
  gen_server.cast(server, "exit")
  expect.eq(expect.receive(nil, 1000), {"terminate", {"custom", 5}, 5})
  expect.eq(expect.receive(nil, 1000), {"EXIT", server, {"custom", 5}})
  otp.trap_exit(false)
end
