-- A call to a name whose server died exits {noproc, {gen_server, call,
-- {name, req}}} (the name is free once the server is gone); so does
-- stop ("noproc"); cast still returns true.
local expect = require "otp.expect"
local gen_server = otp.gen_server

local mod = {}
function mod.init() return "ok", 0 end
function mod.handle_call(req, from, s) return "reply", req, s end

local server = assert(gen_server.start(mod, nil, {name = "gone"}))
expect.eq(gen_server.call("gone", "hi"), "hi")
local ref = otp.monitor(server)
otp.exit(server, "kill")
expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", server, "killed"})

local events = {}
for _, args in ipairs({{"gone", "hi"}, {"gone", "hi", 100}, {{"gone", otp.node()}, "hi"}}) do
  local ok, e = pcall(gen_server.call, table.unpack(args))
  events[#events + 1] = {ok, e}
end
expect.eq(events, {
  {false, {"EXIT", {"noproc", {"gen_server", "call", {"gone", "hi"}}}}},
  {false, {"EXIT", {"noproc", {"gen_server", "call", {"gone", "hi", 100}}}}},
  {false, {"EXIT", {"noproc", {"gen_server", "call", {{"gone", otp.node()}, "hi"}}}}},
})
expect.eq({pcall(gen_server.stop, "gone")}, {false, {"EXIT", "noproc"}})
expect.eq(gen_server.cast("gone", "x"), true)
expect.eq(otp.process_info(otp.self(), "messages"), {})

-- uncaught, the noproc exit ends the caller with that reason
local caller, cref = otp.spawn_monitor(function() gen_server.call("gone", "hi") end)
expect.eq(expect.receive({"DOWN", cref}),
          {"DOWN", cref, "process", caller, {"noproc", {"gen_server", "call", {"gone", "hi"}}}})
