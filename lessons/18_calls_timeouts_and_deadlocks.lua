-- Lesson 18: Calls, timeouts and deadlocks
-- a call waits for its reply or gives up; two servers calling each other wait for ever, or until the timeout.
local lesson, expect = otp.lesson, otp.expect
local gen_server = otp.gen_server
lesson.title("Calls, timeouts and deadlocks")

local slow = {}
function slow.init() otp.set_label("slow"); return "ok", nil end
function slow.handle_call(ms, _, s) otp.sleep(ms); return "reply", "done", s end
local server = assert(gen_server.start_link(slow, nil, {name = "slow"}))

lesson.step("A call that takes longer than its timeout exits the caller (B1)", function()
  local ok, caught = pcall(gen_server.call, "slow", 300, 50)
  expect.falsy(ok)
  expect.eq(caught[1], "EXIT")
  expect.eq(caught[2][1], "timeout")
  lesson.show(caught[2], "the exit reason")
  expect.eq(gen_server.call("slow", 0), "done")
  expect.no_message(nil, 0)
  lesson.say("The late \"done\" of the first call never reached my mailbox: it is empty.")
end)

-- ping asks pong something, and pong, to answer, asks ping back.
local peer = {}
function peer.init(name) otp.set_label(name); return "ok", name end
function peer.handle_call(req, _, name)
  if req[1] == "ask" then return "reply", gen_server.call(req[2], {"hello", name}, 2000), name end
  if req[1] == "hello" then
    local ok, r = pcall(gen_server.call, req[2], "who are you?", 200)
    return "reply", ok and r or ("could not reach " .. req[2] .. ": " .. r[2][1]), name
  end
  return "reply", name, name
end

lesson.step("A deadlock: ping waits for pong, which waits for ping", function()
  local a = assert(gen_server.start_link(peer, "ping", {name = "ping"}))
  local b = assert(gen_server.start_link(peer, "pong", {name = "pong"}))
  local session = otp.trace.start{pids = {a, b}, kinds = {"send"}}
  local answer = gen_server.call(a, {"ask", "pong"}, 3000)
  expect.eq(answer, "could not reach ping: timeout")
  expect.eq(gen_server.call(b, "who are you?"), "pong")   -- pong is free again
  session:stop()
  lesson.say("ping, busy in its call to pong, could not answer pong's \"who are you?\":")
  lesson.say("pong's call timed out after 200 ms and ping got %q.", answer)
  lesson.say("Without the timeouts both would wait for ever. The messages:")
  lesson.diagram(session)
  return {ping = a, pong = b}
end)

lesson.step("Calling yourself is always a deadlock, so it fails at once (B2)", function()
  local self_caller = {}
  function self_caller.init() return "ok", nil end
  function self_caller.handle_call(_, _, s)
    local ok, caught = pcall(gen_server.call, otp.self(), "again")
    return "reply", caught[2][1], s
  end
  local p = assert(gen_server.start_link(self_caller, nil))
  expect.eq(gen_server.call(p, "go"), "calling_self")
  lesson.say("call(otp.self(), ...) exits with calling_self instead of hanging.")
end)

lesson.finish{try = "pcall(gen_server.call, \"slow\", 5000, 100); flush()",
              next = "A slow consumer's mailbox"}
