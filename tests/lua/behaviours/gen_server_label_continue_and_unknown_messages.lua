-- Every gen_server labels its process with its name, or its module's
-- `name`; {"continue", v} runs handle_continue before any other message
-- (OTP's handle_continue); a message without handle_info is dropped with a
-- warning and the server carries on (OTP's behaviour); a missing
-- handle_call is a crash with a readable reason.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {name = "labelled"}
function mod.init(arg)
  otp.send(otp.self(), "queued during init")     -- must wait for the continue
  return "ok", {}, {"continue", arg}
end
function mod.handle_continue(value, s)
  otp.send(main, {"continue", value})
  if value == "again" then return "noreply", s, {"continue", "last"} end
  return "noreply", s
end
function mod.handle_info(msg, s)
  otp.send(main, {"info", msg})
  return "noreply", s
end
function mod.handle_call(req, from, s) return "reply", req, s end

-- labels
do
  local a = assert(gen_server.start(mod, "x"))
  expect.eq(otp.process_info(a, "label"), "labelled")
  local b = assert(gen_server.start(mod, "x", {name = "b_name"}))
  expect.eq(otp.process_info(b, "label"), "b_name")
  local plain = {init = function() return "ok", 0 end}
  local c = assert(gen_server.start(plain))
  expect.eq(otp.process_info(c, "label"), nil)
  local events = {}
  for _ = 1, 4 do events[#events + 1] = expect.receive(nil, 1000) end
  table.sort(events, function(x, y) return x[1] < y[1] end)
  expect.eq(events, {{"continue", "x"}, {"continue", "x"},
                     {"info", "queued during init"}, {"info", "queued during init"}})
  gen_server.stop(a); gen_server.stop(b); gen_server.stop(c)
end

-- continue order: init's continue, the chained one, then the queued message
do
  local s = assert(gen_server.start(mod, "again"))
  local events = {}
  for _ = 1, 3 do events[#events + 1] = expect.receive(nil, 1000) end
  expect.eq(events, {{"continue", "again"}, {"continue", "last"}, {"info", "queued during init"}})
  gen_server.stop(s)
end

-- no handle_info: dropped, the server lives; no handle_call: a crash
do
  local bare = {init = function() return "ok", 0 end}
  local s = assert(gen_server.start(bare))
  local ref = otp.monitor(s)
  otp.send(s, "nobody handles this")
  local ok, e = pcall(gen_server.call, s, "x")
  expect.eq(ok, false)
  expect.eq(e, {"EXIT", {{"error", otp._, otp._}, {"gen_server", "call", {s, "x"}}}})
  expect.truthy(e[2][1][2]:find("no handle_call", 1, true), expect.format(e))
  expect.eq(expect.receive({"DOWN", ref})[5], e[2][1])
end
