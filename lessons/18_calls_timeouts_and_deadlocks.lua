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

-- ping asks pong something, and pong, to answer {"hello", asker}, asks
-- the asker back who it is.
local function call_back(req)
  local ok, r = pcall(gen_server.call, req[2], "who are you?", 200)
  return ok and ("hello " .. r) or ("could not reach " .. req[2] .. ": " .. r[2][1])
end
local fix = {}                 -- fix.hello: the exercise's answer to {"hello", asker}
local peer = {}
function peer.init(a) otp.set_label(a.name); return "ok", a end
function peer.handle_call(req, _, a)
  if req[1] == "ask" then return "reply", gen_server.call(req[2], {"hello", a.name}, 2000), a end
  if req[1] == "hello" then return "reply", (a.hello or call_back)(req, a.name), a end
  return "reply", a.name, a
end

lesson.step("A deadlock: ping waits for pong, which waits for ping", function()
  local a = assert(gen_server.start_link(peer, {name = "ping"}, {name = "ping"}))
  local b = assert(gen_server.start_link(peer, {name = "pong"}, {name = "pong"}))
  local session = otp.trace.start{pids = {a, b}, kinds = {"send"}}
  local answer = gen_server.call(a, {"ask", "pong"}, 3000)
  expect.eq(answer, "could not reach ping: timeout")
  expect.eq(gen_server.call(a, "who are you?"), "ping")   -- ping has answered pong, too late
  expect.eq(gen_server.call(b, "who are you?"), "pong")   -- pong is free again
  expect.eq(otp.process_info(b, "message_queue_len"), 0)
  session:stop()
  lesson.say("ping, busy in its call to pong, could not answer pong's \"who are you?\":")
  lesson.say("pong's call timed out after 200 ms and ping got %q.", answer)
  lesson.say("ping's late answer never reached pong's mailbox (B1): it is empty.")
  lesson.say("The 200 ms timeout broke the deadlock; with the timeout \"infinity\" nothing would")
  lesson.say("have, and both would wait for ever. The messages:")
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

-- The exercise: the learner writes pong's answer to {"hello", asker} so
-- that it needs no call back; check() starts a fresh pair with it.
local function fixed_check()
  local pair = {}
  for _, n in ipairs{"ping2", "pong2"} do
    pair[n] = assert(gen_server.start(peer, {name = n, hello = fix.hello}, {name = n}))
  end
  local ok, answer = pcall(gen_server.call, pair.ping2, {"ask", "pong2"}, 3000)
  for _, p in pairs(pair) do otp.exit(p, "kill") end
  if ok and answer == "hello ping2" then return true end
  if not ok then answer = answer[2] end
  return false, "ping2 asked pong2 and got " .. otp.inspect(answer) .. ", not \"hello ping2\"" ..
    (fix.hello == nil and " (fix.hello is not set: pong2 calls ping2 back, and ping2 is busy waiting for pong2)" or "")
end
lesson.expose{fix = fix}
lesson.exercise("write fix.hello = function(req, name) ... end, pong's answer to req = {\"hello\", asker_name}: " ..
  "it must be \"hello \" .. the asker's name, without calling the asker back",
  fixed_check,
  function() fix.hello = function(req) return "hello " .. req[2] end end)

lesson.finish{try = "pcall(otp.gen_server.call, \"slow\", 5000, 100)",
              next = "A slow consumer's mailbox"}
