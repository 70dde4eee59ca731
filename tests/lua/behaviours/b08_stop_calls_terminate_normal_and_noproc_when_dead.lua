-- B8: gen_server:stop(P) -> terminate(normal, S), returns ok once P is dead;
-- on a dead pid it exits noproc. stop(P, R, T) uses reason R; if P does not
-- stop within T the caller exits timeout.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(s) return "ok", s end
function mod.handle_call(req, from, s) return "reply", s, s end
function mod.terminate(reason, s)
  otp.send(main, {"terminate", reason, s})
  if s == "slow" then otp.sleep(200) end       -- part of the scenario
  if s == "crash" then error("terminate crashed") end
end

-- 1. stop: terminate("normal") ran and the server is dead when it returns.
do
  local server = assert(gen_server.start_link(mod, "s1"))
  local events = {gen_server.stop(server)}
  events[#events + 1] = otp.is_alive(server)
  events[#events + 1] = expect.receive(nil, 0)     -- already queued
  expect.eq(events, {true, false, {"terminate", "normal", "s1"}})
  expect.no_message(nil, 0)
end

-- 2. A dead pid, an unregistered name: the caller exits noproc.
do
  local server = assert(gen_server.start(mod, "s2"))
  expect.eq(gen_server.stop(server), true)
  expect.receive({"terminate"})
  local ok, e = pcall(gen_server.stop, server)
  expect.eq({ok, e}, {false, {"EXIT", "noproc"}})
  ok, e = pcall(gen_server.stop, "nobody_here")
  expect.eq({ok, e}, {false, {"EXIT", "noproc"}})
  expect.eq(otp.process_info(main, "messages"), {})
  expect.eq(otp.process_info(main, "monitors"), {})
end

-- 3. By name, with a reason: terminate gets it; a trapping parent sees the
-- EXIT with it after terminate ran.
do
  otp.trap_exit(true)
  local server = assert(gen_server.start_link(mod, "s3", {name = "b08"}))
  expect.eq(gen_server.stop("b08", {"shutdown", "bye"}), true)
  expect.eq({expect.receive(nil, 0), expect.receive(nil, 1000)},
            {{"terminate", {"shutdown", "bye"}, "s3"}, {"EXIT", server, {"shutdown", "bye"}}})
  expect.eq(otp.whereis("b08"), nil)
  otp.trap_exit(false)
end

-- 4. A terminate slower than the timeout: the caller exits timeout (the
-- server still finishes stopping).
do
  local server = assert(gen_server.start(mod, "slow"))
  local ref = otp.monitor(server)
  local ok, e = pcall(gen_server.stop, server, "normal", 30)
  expect.eq({ok, e}, {false, {"EXIT", "timeout"}})
  expect.eq(expect.receive({"terminate"}, 1000), {"terminate", "normal", "slow"})
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", server, "normal"})
end

-- 5. terminate crashes: stop exits with the reason the server died with.
do
  local server = assert(gen_server.start(mod, "crash"))
  local ok, e = pcall(gen_server.stop, server)
  expect.eq(ok, false)
  expect.eq(e, {"EXIT", {"error", otp._, otp._}})
  expect.truthy(e[2][2]:find("terminate crashed", 1, true), expect.format(e))
  expect.receive({"terminate", "normal", "crash"}, 0)
end
