-- B3: {stop, R, Reply, S} from handle_call: the caller gets Reply,
-- terminate(R, S) runs, the server exits R. As in OTP's gen_server
-- (`try terminate(...) after reply(From, Reply) end`), terminate runs
-- first and the reply is sent just before the exit: when call returns,
-- terminate's message is already in the caller's mailbox.
-- {stop, R, S} from handle_call: terminate(R, S), the caller exits
-- {R, {gen_server, call, _}}.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(n) return "ok", n end
function mod.handle_call(req, from, n)
  if req == "stop with reply" then return "stop", "bye", "the reply", n + 1 end
  if req == "stop without reply" then return "stop", {"shutdown", "done"}, n + 2 end
  if req == "stop normal" then return "stop", "normal", "ok", n end
end
function mod.terminate(reason, n) otp.send(main, {"terminate", reason, n}) end

-- 1. stop with a reply, server not linked.
do
  local server = assert(gen_server.start(mod, 10))
  local mref = otp.monitor(server)
  local events = {}
  events[#events + 1] = {"call returned", gen_server.call(server, "stop with reply")}
  events[#events + 1] = otp.process_info(main, "messages")[1]   -- already queued
  events[#events + 1] = expect.receive({"terminate"}, 0)
  events[#events + 1] = expect.receive({"DOWN", mref})
  expect.eq(events, {
    {"call returned", "the reply"},
    {"terminate", "bye", 11},
    {"terminate", "bye", 11},
    {"DOWN", mref, "process", server, "bye"},
  })
  expect.no_message(nil, 0)
end

-- 2. The same with start_link and a trapping caller: the parent also gets
-- the EXIT, after terminate ran.
do
  otp.trap_exit(true)
  local server = assert(gen_server.start_link(mod, 20))
  expect.eq(gen_server.call(server, "stop with reply"), "the reply")
  expect.eq(expect.receive(nil, 1000), {"terminate", "bye", 21})
  expect.eq(expect.receive(nil, 1000), {"EXIT", server, "bye"})
  expect.no_message(nil, 0)
  otp.trap_exit(false)
end

-- 3. stop without a reply: the caller exits with the reason, after
-- terminate ran (its message comes first).
do
  local server = assert(gen_server.start(mod, 30))
  local mref = otp.monitor(server)
  local ok, e = pcall(gen_server.call, server, "stop without reply")
  local events = {e}
  events[#events + 1] = expect.receive(nil, 1000)
  events[#events + 1] = expect.receive(nil, 1000)
  expect.eq(ok, false)
  expect.eq(events, {
    {"EXIT", {{"shutdown", "done"}, {"gen_server", "call", {server, "stop without reply"}}}},
    {"terminate", {"shutdown", "done"}, 32},
    {"DOWN", mref, "process", server, {"shutdown", "done"}},
  })
  expect.no_message(nil, 0)
end

-- 4. A linked, non-trapping caller survives a "normal" stop.
do
  local server = assert(gen_server.start_link(mod, 40))
  local mref = otp.monitor(server)
  expect.eq(gen_server.call(server, "stop normal"), "ok")
  expect.eq(expect.receive({"terminate"}, 0), {"terminate", "normal", 40})
  expect.eq(expect.receive({"DOWN", mref}), {"DOWN", mref, "process", server, "normal"})
  expect.alive(main)
end
