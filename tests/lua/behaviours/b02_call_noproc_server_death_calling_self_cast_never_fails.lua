-- B2: call to a dead pid or an unknown name exits {noproc, {gen_server,
-- call, _}}; the server dying during the call makes the caller exit
-- {Reason, {gen_server, call, _}}; a call to self exits {calling_self, _};
-- cast never fails.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(boss) return "ok", boss end
function mod.handle_call(req, from, boss)
  if req == "ping" then return "reply", "pong", boss end
  if type(req) == "table" and req[1] == "get_killed" then
    otp.send(req[2], {"kill me", otp.self()}) -- a killer ends us mid-call
    otp.receive(function() return false end)
  end
  if req == "call myself" then
    local ok, e = pcall(gen_server.call, otp.self(), "ping")
    return "reply", {ok, e[1], e[2]}, boss   -- (the caught exit has a metatable)
  end
end
function mod.handle_cast(msg, boss)
  otp.send(boss, {"cast", msg})
  return "noreply", boss
end
function mod.terminate(reason) otp.send(main, {"terminate", reason}) end

-- 1. A dead pid: noproc, with call/2's argument list {server, req}.
do
  local dead, ref = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", ref})
  local ok, e = pcall(gen_server.call, dead, "ping")
  expect.eq({ok, e}, {false, {"EXIT", {"noproc", {"gen_server", "call", {dead, "ping"}}}}})
  ok, e = pcall(gen_server.call, dead, "ping", 100)
  expect.eq({ok, e}, {false, {"EXIT", {"noproc", {"gen_server", "call", {dead, "ping", 100}}}}})
  expect.eq(otp.process_info(main, "messages"), {}, "no DOWN left behind")
  expect.eq(otp.process_info(main, "monitors"), {})
end

-- 2. An unregistered name: noproc.
do
  local ok, e = pcall(gen_server.call, "nobody_here", "ping")
  expect.eq({ok, e}, {false, {"EXIT", {"noproc", {"gen_server", "call", {"nobody_here", "ping"}}}}})
end

-- 3. The server dies during the call (an exit signal from a third process,
-- the server does not trap exits: no terminate): the caller exits with
-- that reason.
do
  local killer = otp.spawn(function()
    local m = otp.receive()
    otp.exit(m[2], "killed_by_test")
  end)
  local server = assert(gen_server.start(mod, main))
  local mref = otp.monitor(server)
  local events = {}
  local ok, e = pcall(gen_server.call, server, {"get_killed", killer})
  events[#events + 1] = e
  events[#events + 1] = expect.receive({"DOWN", mref})
  events[#events + 1] = otp.process_info(main, "messages")
  expect.eq(events, {
    {"EXIT", {"killed_by_test", {"gen_server", "call", {server, {"get_killed", killer}}}}},
    {"DOWN", mref, "process", server, "killed_by_test"},
    {},                                     -- no terminate, no stray DOWN
  })
  expect.eq(ok, false)
end

-- 4. calling_self: from a plain process (by pid and by its name) and from
-- inside a callback.
do
  local ok, e = pcall(gen_server.call, main, "ping")
  expect.eq({ok, e}, {false, {"EXIT", {"calling_self", {"gen_server", "call", {main, "ping"}}}}})
  otp.register("b02_main", main)
  ok, e = pcall(gen_server.call, "b02_main", "ping", 50)
  expect.eq({ok, e}, {false, {"EXIT", {"calling_self", {"gen_server", "call", {"b02_main", "ping", 50}}}}})
  otp.unregister("b02_main")
  local server = assert(gen_server.start(mod, main))
  expect.eq(gen_server.call(server, "call myself"),
            {false, "EXIT", {"calling_self", {"gen_server", "call", {server, "ping"}}}})
  expect.eq(gen_server.stop(server), true)
  expect.eq(expect.receive({"terminate"}), {"terminate", "normal"})
end

-- 5. cast always returns true: to a dead pid, an unknown name, {name, node},
-- and to a live server (which gets it).
do
  local dead, ref = otp.spawn_monitor(function() end)
  expect.receive({"DOWN", ref})
  expect.eq(gen_server.cast(dead, "x"), true)
  expect.eq(gen_server.cast("nobody_here", "x"), true)
  expect.eq(gen_server.cast({"nobody_here", otp.node()}, "x"), true)
  expect.eq(gen_server.cast({"b02", "elsewhere@host"}, "x"), true)
  local server = assert(gen_server.start(mod, main, {name = "b02"}))
  expect.eq(gen_server.cast({"b02", otp.node()}, "hello"), true)
  expect.eq(gen_server.cast("b02", "again"), true)
  expect.eq(expect.receive({"cast"}), {"cast", "hello"})
  expect.eq(expect.receive({"cast"}), {"cast", "again"})
  expect.eq(gen_server.stop("b02"), true)
  expect.eq(expect.receive({"terminate"}), {"terminate", "normal"})
end

-- 6. Misuse is a badarg error, raised before anything is sent.
do
  local server = assert(gen_server.start(mod, main))
  expect.error(function() gen_server.call(server, "ping", -1) end, "badarg")
  expect.error(function() gen_server.call(server, "ping", "soon") end, "badarg")
  expect.error(function() gen_server.call(42, "ping") end, "badarg")
  expect.error(function() gen_server.cast(server, function() end) end, "badarg")
  expect.eq(gen_server.call(server, "ping"), "pong")
  expect.eq(otp.process_info(main, "messages"), {})
  gen_server.stop(server)
  expect.receive({"terminate"})
end
