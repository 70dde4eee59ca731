-- B1: call returns Reply; on timeout the caller exits
-- {timeout, {gen_server, call, [S, Req, T]}}; the late reply never appears
-- in the caller's mailbox (the call's alias is gone, OTP 24+).
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local slow = {name = "slow"}
function slow.init(boss) return "ok", boss end
function slow.handle_call(req, from, boss)
  if req == "ping" then return "reply", "pong", boss end
  if type(req) == "table" and req[1] == "sleep" then
    otp.sleep(req[2])                    -- part of the scenario: a slow callback
    otp.send(boss, {"late reply sent", req[2]})
    return "reply", {"late", req[2]}, boss
  end
  if req == "delegate" then               -- `from` is plain data: a helper replies
    otp.spawn(function(f) gen_server.reply(f, "from the helper") end, from)
    return "noreply", boss
  end
end

local server = assert(gen_server.start_link(slow, main, {name = "slow"}))

-- 1. A call returns the reply, by pid and by name; nothing is left behind
-- (no message, no monitor: the alias monitor is gone).
do
  expect.eq(gen_server.call(server, "ping"), "pong")
  expect.eq(gen_server.call("slow", "ping", 1000), "pong")
  expect.eq(gen_server.call(server, "ping", "infinity"), "pong")
  expect.eq(otp.process_info(main, "monitors"), {})
  expect.eq(otp.process_info(main, "messages"), {})
end

-- 2. Timeout: the caller exits with OTP's reason (call/3: the timeout is in
-- the argument list); the late reply is dropped; the server carries on.
do
  local events = {}
  local ok, e = pcall(gen_server.call, server, {"sleep", 100}, 20)
  expect.eq(ok, false)
  events[#events + 1] = e
  expect.eq(otp.process_info(main, "monitors"), {}, "the call demonitored the server")
  -- the server sends its reply 100 ms in; this message is sent just before it
  events[#events + 1] = expect.receive({"late reply sent"}, 1000)
  -- the server handles this call after the slow one: its reply comes after
  -- the late reply would have
  events[#events + 1] = gen_server.call(server, "ping")
  events[#events + 1] = otp.process_info(main, "messages")
  expect.eq(events, {
    {"EXIT", {"timeout", {"gen_server", "call", {server, {"sleep", 100}, 20}}}},
    {"late reply sent", 100},
    "pong",
    {},                                    -- no {ref, {"late", 100}}
  })
end

-- 3. The same through a registered name: the name is in the reason.
do
  local ok, e = pcall(gen_server.call, "slow", {"sleep", 50}, 10)
  expect.eq({ok, e}, {false, {"EXIT", {"timeout", {"gen_server", "call", {"slow", {"sleep", 50}, 10}}}}})
  expect.receive({"late reply sent", 50}, 1000)
  expect.eq(gen_server.call("slow", "ping"), "pong")
  expect.no_message(nil, 0, "the late reply was dropped")
end

-- 4. An uncaught call timeout ends the caller with that reason.
do
  local caller, ref = otp.spawn_monitor(function()
    gen_server.call("slow", {"sleep", 30}, 5)
  end)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", caller,
    {"timeout", {"gen_server", "call", {"slow", {"sleep", 30}, 5}}}})
  expect.receive({"late reply sent", 30}, 1000)
end

-- 5. `from` can be handed to another process, which replies.
expect.eq(gen_server.call(server, "delegate"), "from the helper")
expect.eq(otp.process_info(main, "messages"), {})

expect.eq(gen_server.stop(server), true)
