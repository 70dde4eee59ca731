-- sys.suspend: the server handles only system messages until sys.resume
-- (calls and casts wait in its mailbox, in order); suspending twice needs
-- one resume (OTP keeps no count); stop works while suspended, and so does
-- an EXIT from the parent (terminate runs), as in OTP's suspend loop.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local sys = otp.sys
local main = otp.self()

local mod = {}
function mod.init(trap) otp.trap_exit(trap); return "ok", 0 end
function mod.handle_cast(msg, n)
  otp.send(main, {"cast", msg})
  return "noreply", n + 1
end
function mod.handle_call(req, from, n) return "reply", n, n end
function mod.terminate(reason, n) otp.send(main, {"terminate", reason, n}) end

do
  local server = assert(gen_server.start_link(mod, false))
  expect.eq(sys.suspend(server), true)
  gen_server.cast(server, "a")
  gen_server.cast(server, "b")
  local events = {}
  events[#events + 1] = {"get_state while suspended", sys.get_state(server)}
  events[#events + 1] = {"status", sys.get_status(server).status}
  events[#events + 1] = {"queued", otp.process_info(server, "message_queue_len")}
  local ok, e = pcall(gen_server.call, server, "n", 30)
  events[#events + 1] = {"call timed out", ok, e[2][1]}
  expect.eq(sys.suspend(server), true)            -- twice
  expect.eq(sys.resume(server), true)             -- once is enough
  events[#events + 1] = expect.receive({"cast"})
  events[#events + 1] = expect.receive({"cast"})
  events[#events + 1] = {"call", gen_server.call(server, "n")}
  expect.eq(events, {
    {"get_state while suspended", 0},
    {"status", "suspended"},
    {"queued", 2},
    {"call timed out", false, "timeout"},
    {"cast", "a"}, {"cast", "b"},
    {"call", 2},
  })
  expect.eq(sys.resume(server), true, "resume when running is fine")
  expect.eq(gen_server.call(server, "n"), 2)
  -- stop while suspended
  sys.suspend(server)
  expect.eq(gen_server.stop(server), true)
  expect.eq(expect.receive({"terminate"}, 0), {"terminate", "normal", 2})
end

-- the parent's EXIT while suspended: a trapping server terminates
do
  otp.trap_exit(true)
  local server = assert(gen_server.start_link(mod, true))
  sys.suspend(server)
  gen_server.cast(server, "never handled")
  otp.exit(server, "shutdown")
  expect.eq({expect.receive(nil, 1000), expect.receive(nil, 1000)},
            {{"terminate", "shutdown", 0}, {"EXIT", server, "shutdown"}})
  expect.no_message(nil, 0)
  otp.trap_exit(false)
end

-- a non-parent EXIT waits until resume, then goes to handle_info
do
  local info_mod = {}
  function info_mod.init() otp.trap_exit(true); return "ok", 0 end
  function info_mod.handle_call(req, from, n) otp.link(req); return "reply", true, n end
  function info_mod.handle_info(msg, n) otp.send(main, {"info", msg}); return "noreply", n end
  local server = assert(gen_server.start(info_mod))
  local other = otp.spawn(function() otp.exit(otp.receive()) end)
  gen_server.call(server, other)
  sys.suspend(server)
  otp.send(other, "oops")
  expect.no_message({"info"}, 30)
  sys.resume(server)
  expect.eq(expect.receive({"info"}), {"info", {"EXIT", other, "oops"}})
  gen_server.stop(server)
end
