-- B5: an exit signal from the PARENT (the process that called start_link):
-- a trapping server runs terminate(R) and exits R; a non-trapping one dies
-- at once without terminate. An EXIT from any other linked process goes to
-- handle_info({"EXIT", pid, R}).
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(trap)
  otp.trap_exit(trap)
  return "ok", "s"
end
function mod.handle_call(req, from, s)
  if type(req) == "table" and req[1] == "link" then
    otp.link(req[2])
    return "reply", true, s
  end
end
function mod.handle_info(msg, s)
  otp.send(main, {"info", msg})
  return "noreply", s
end
function mod.terminate(reason, s) otp.send(main, {"terminate", reason, s}) end

otp.trap_exit(true)

-- 1. Trapping server, exit signal from its parent (us): terminate(R), exit R.
do
  local server = assert(gen_server.start_link(mod, true))
  expect.eq(otp.process_info(server, "parent"), main)
  otp.exit(server, "shutdown")
  local events = {expect.receive(nil, 1000), expect.receive(nil, 1000)}
  expect.eq(events, {{"terminate", "shutdown", "s"}, {"EXIT", server, "shutdown"}})
  expect.no_message(nil, 0)
end

-- 2. Non-trapping server: dies at once with R, terminate is not called.
do
  local server = assert(gen_server.start_link(mod, false))
  otp.exit(server, {"shutdown", "now"})
  expect.eq(expect.receive(nil, 1000), {"EXIT", server, {"shutdown", "now"}})
  expect.no_message(nil, 0, "no terminate")
end

-- 3. The parent is a process of its own that crashes: the trapping server
-- terminates with the parent's reason.
do
  local parent = otp.spawn(function()
    local server = assert(gen_server.start_link(mod, true))
    otp.send(main, {"server", server})
    otp.receive()
    error("parent gives up")
  end)
  local server = expect.receive({"server"})[2]
  local pref, sref = otp.monitor(parent), otp.monitor(server)
  otp.send(parent, "go")
  local events = {expect.receive(nil, 1000), expect.receive(nil, 1000), expect.receive(nil, 1000)}
  expect.eq(events, {
    {"DOWN", pref, "process", parent, {"error", otp._, otp._}},
    {"terminate", events[1][5], "s"},
    {"DOWN", sref, "process", server, events[1][5]},
  })
end

-- 4. An EXIT from a linked process that is not the parent: handle_info,
-- the server lives on.
do
  local server = assert(gen_server.start_link(mod, true))
  local other = otp.spawn(function() otp.exit(otp.receive()) end)
  expect.eq(gen_server.call(server, {"link", other}), true)
  otp.send(other, "oops")
  expect.eq(expect.receive(nil, 1000), {"info", {"EXIT", other, "oops"}})
  expect.alive(server)
  -- and a normal exit of a linked non-parent is a message too
  local other2 = otp.spawn(function() otp.receive() end)
  expect.eq(gen_server.call(server, {"link", other2}), true)
  otp.send(other2, "bye")
  expect.eq(expect.receive(nil, 1000), {"info", {"EXIT", other2, "normal"}})
  expect.alive(server)
  otp.exit(server, "shutdown")
  expect.eq(expect.receive(nil, 1000), {"terminate", "shutdown", "s"})
  expect.eq(expect.receive(nil, 1000), {"EXIT", server, "shutdown"})
end

-- 5. A server from start (no link) is its own parent: an exit signal from
-- the process that started it is an ordinary EXIT message for handle_info
-- (trapping), since there is no link it came from a plain exit/2.
do
  local server = assert(gen_server.start(mod, true))
  expect.eq(otp.process_info(server, "links"), {})
  otp.exit(server, "shutdown")
  expect.eq(expect.receive(nil, 1000), {"info", {"EXIT", main, "shutdown"}})
  expect.alive(server)
  expect.eq(gen_server.stop(server), true)
  expect.eq(expect.receive(nil, 1000), {"terminate", "normal", "s"})
end
