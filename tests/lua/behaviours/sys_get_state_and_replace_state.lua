-- sys.get_state returns the server's state; sys.replace_state(server, fn)
-- sets fn(state) and returns it. fn runs in the caller (functions cannot
-- be sent) while the server is suspended, so no other message is handled
-- in between; an already suspended server stays suspended. fn raising
-- leaves the state unchanged and raises OTP's callback_failed error.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local sys = otp.sys
local main = otp.self()

local mod = {}
function mod.init(n) return "ok", {count = n} end
function mod.handle_cast(by, s)
  s.count = s.count + by
  otp.send(main, {"cast handled", s.count})
  return "noreply", s
end
function mod.handle_call(req, from, s) return "reply", s.count, s end

local server = assert(gen_server.start_link(mod, 1, {name = "st"}))
expect.eq(sys.get_state(server), {count = 1})
expect.eq(sys.get_state("st", 1000), {count = 1})

-- replace_state: the new state, seen by the next callbacks
expect.eq(sys.replace_state(server, function(s) s.count = s.count * 10; return s end), {count = 10})
gen_server.cast(server, 1)
expect.eq(expect.receive({"cast handled"}), {"cast handled", 11})

-- no message is handled while fn runs: a cast sent from inside fn waits
local events = {}
sys.replace_state(server, function(s)
  gen_server.cast(server, 100)
  events[#events + 1] = {"fn ran", s.count}
  events[#events + 1] = {"no cast yet", otp.receive(otp.match{"cast handled"}, 30) == nil}
  return {count = 0}
end)
events[#events + 1] = expect.receive({"cast handled"})
expect.eq(events, {{"fn ran", 11}, {"no cast yet", true}, {"cast handled", 100}})
expect.eq(otp.process_info(server, "status"), "waiting")
expect.eq(sys.get_status(server).status, "running", "resumed after")

-- fn raises: unchanged state, OTP's error value; the server runs on
local ok, err = pcall(sys.replace_state, server, function() error("bad fn", 0) end)
expect.eq({ok, err}, {false, {"callback_failed", {"gen_server", "system_replace_state"},
                              {"error", "bad fn"}}})
expect.eq(sys.get_state(server), {count = 100})
expect.eq(sys.get_status(server).status, "running")

-- a suspended server stays suspended after replace_state
sys.suspend(server)
expect.eq(sys.replace_state(server, function(s) return {count = -1} end), {count = -1})
expect.eq(sys.get_status(server).status, "suspended")
sys.resume(server)
expect.eq(gen_server.call(server, "get"), -1)

-- a dead server: the caller exits as in OTP
gen_server.stop(server)
expect.eq({pcall(sys.get_state, server)}, {false, {"EXIT", {"noproc", {"sys", "get_state", {server}}}}})
expect.eq({pcall(sys.get_state, "st", 100)},
          {false, {"EXIT", {"noproc", {"sys", "get_state", {"st", 100}}}}})
expect.eq({pcall(sys.replace_state, "st", function(s) return s end)},
          {false, {"EXIT", {"noproc", {"sys", "replace_state", {"st"}}}}})

-- a process that does not answer system messages: timeout
local mute = otp.spawn(function() otp.receive(function() return false end) end)
expect.eq({pcall(sys.get_state, mute, 20)},
          {false, {"EXIT", {"timeout", {"sys", "get_state", {mute, 20}}}}})
