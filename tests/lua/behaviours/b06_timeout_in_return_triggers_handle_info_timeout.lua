-- B6: a timeout in a return ("ok", s, T / "reply", r, s, T / "noreply", s, T)
-- runs handle_info("timeout", s) when no message arrives within T ms; a
-- message that arrives first cancels it (the callback's new return decides
-- the next timeout). "hibernate" is accepted.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(t) return "ok", 0, t end
function mod.handle_call(req, from, n)
  if type(req) == "table" and req[1] == "reply after" then return "reply", "r", n, req[2] end
  if type(req) == "table" and req[1] == "noreply after" then
    gen_server.reply(from, "noreply")
    return "noreply", n, req[2]
  end
  if req == "hibernate" then return "reply", "zzz", n, "hibernate" end
  if req == "get" then return "reply", n, n end
end
function mod.handle_cast(msg, n)
  otp.send(main, {"cast", msg})
  return "noreply", n + 1                  -- no timeout: none pending after this
end
function mod.handle_info(msg, n)
  otp.send(main, {"info", msg, n})
  return "noreply", n + 10
end

-- 1. init's timeout fires once: handle_info("timeout") with init's state.
do
  local server = assert(gen_server.start_link(mod, 30))
  expect.eq(expect.receive({"info"}, 1000), {"info", "timeout", 0})
  expect.eq(gen_server.call(server, "get"), 10)
  expect.no_message({"info"}, 0, "only once")
  gen_server.stop(server)
end

-- 2. Timeout 0: fires at once when the mailbox is empty.
do
  local server = assert(gen_server.start_link(mod, 0))
  expect.eq(expect.receive({"info"}, 1000), {"info", "timeout", 0})
  gen_server.stop(server)
end

-- 3. From "reply" and "noreply" returns.
do
  local server = assert(gen_server.start_link(mod, "infinity"))
  expect.eq(gen_server.call(server, {"reply after", 20}), "r")
  expect.eq(expect.receive({"info"}, 1000), {"info", "timeout", 0})
  expect.eq(gen_server.call(server, {"noreply after", 20}), "noreply")
  expect.eq(expect.receive({"info"}, 1000), {"info", "timeout", 10})
  gen_server.stop(server)
end

-- 4. A message before the timeout cancels it: the events are the cast,
-- then nothing (the cast's return has no timeout).
do
  local server = assert(gen_server.start_link(mod, 150))
  gen_server.cast(server, "first")
  local events = {expect.receive(nil, 1000)}
  events[#events + 1] = gen_server.call(server, "get")
  expect.eq(events, {{"cast", "first"}, 1})
  -- bounded wait past the old deadline: no timeout comes
  expect.no_message({"info"}, 250, "the cast cancelled init's timeout")
  gen_server.stop(server)
end

-- 5. Events in order: timeout, cast, timeout again after a new timeout.
do
  local server = assert(gen_server.start_link(mod, 10))
  local events = {expect.receive(nil, 1000)}
  gen_server.cast(server, "c")
  events[#events + 1] = expect.receive(nil, 1000)
  expect.eq(gen_server.call(server, {"reply after", 10}), "r")
  events[#events + 1] = expect.receive(nil, 1000)
  expect.eq(events, {{"info", "timeout", 0}, {"cast", "c"}, {"info", "timeout", 11}})
  gen_server.stop(server)
end

-- 6. "hibernate" is accepted: the server keeps working.
do
  local server = assert(gen_server.start_link(mod, "hibernate"))
  expect.eq(gen_server.call(server, "hibernate"), "zzz")
  expect.eq(gen_server.call(server, "get"), 0)
  gen_server.stop(server)
end
