-- Lesson 19: A slow consumer's mailbox
-- casts never wait, so a consumer slower than its producer lets its mailbox grow; a call pushes back.
local lesson, expect = otp.lesson, otp.expect
local gen_server, sys = otp.gen_server, otp.sys
lesson.title("A slow consumer's mailbox")

local consumer = {}
function consumer.init() otp.set_label("consumer"); return "ok", 0 end
function consumer.handle_cast(msg, n)
  if type(msg) == "table" and msg[1] == "item" and msg[2] ~= n + 1 then
    error("item " .. tostring(msg[2]) .. " arrived after item " .. n)   -- so order is checked
  end
  return "noreply", n + 1
end
function consumer.handle_call(_, _, n) return "reply", n + 1, n + 1 end
local c = assert(gen_server.start_link(consumer, nil, {name = "consumer"}))

lesson.step("The consumer falls behind (here: suspended) while 1000 casts arrive", function()
  local empty = otp.process_info(c, "memory")
  sys.suspend(c)                       -- a consumer stuck on something slow
  for i = 1, 1000 do gen_server.cast(c, {"item", i}) end
  local len = otp.process_info(c, "message_queue_len")
  expect.eq(len, 1000)
  lesson.say("Every cast returned at once; all 1000 wait in its mailbox:")
  lesson.show({message_queue_len = len, memory = otp.process_info(c, "memory")})
  expect.truthy(otp.process_info(c, "memory") > empty, "the queued casts take the consumer's memory")
  lesson.say("Nothing tells the producer to slow down: the queue and the memory just grow")
  lesson.say("(%d bytes before the casts).", empty)
  sys.resume(c)
  expect.eq(gen_server.call(c, "count"), 1001)
  expect.eq(otp.process_info(c, "message_queue_len"), 0)
  lesson.say("Resumed, it worked through them in order (it crashes on an item out of order),")
  lesson.say("and the call, sent last, was answered after all 1000 (A13).")
  return {consumer = c}
end)

lesson.step("With calls, the producer waits for each answer: the queue stays short", function()
  local longest = 0
  for _ = 1, 200 do
    gen_server.call(c, "item")
    longest = math.max(longest, otp.process_info(c, "message_queue_len"))
  end
  expect.eq(longest, 0)
  lesson.say("200 calls, and after each one the consumer's queue was empty: back-pressure.")
end)

-- The exercise: the learner writes a producer; check() runs it against a
-- fresh consumer that is suspended, and reads that consumer's queue once the
-- producer has finished or is waiting.
local produce = {}
local function pushback_check()
  if type(produce.fn) ~= "function" then
    return false, "produce.fn is not a function yet: produce.fn = function(consumer, n) ... end"
  end
  local c2 = assert(gen_server.start(consumer, nil))
  sys.suspend(c2)
  local p, ref = otp.spawn_monitor(produce.fn, c2, 50)
  local settled = pcall(expect.eventually, function()
    return not otp.is_alive(p) or otp.process_info(p, "status") == "waiting" end, 2000)
  local queued = otp.process_info(c2, "message_queue_len")
  sys.resume(c2)
  local down = otp.receive(otp.match{"DOWN", ref}, 5000)
  if not down then otp.exit(p, "kill") end
  local handled = gen_server.call(c2, "count") - 1
  gen_server.stop(c2)
  if not settled then return false, "the producer neither finished nor waited within 2 s" end
  if queued > 1 then
    return false, "while the consumer was stuck, " .. queued .. " items piled up in its mailbox: " ..
      "a cast never waits for the consumer, so the producer ran ahead"
  end
  if handled < 50 then
    return false, "the queue stayed short, but the consumer handled " .. handled .. " items, not 50" ..
      (down and down[5] ~= "normal" and (" (the producer exited " .. otp.inspect(down[5]) .. ")") or "")
  end
  return true
end
lesson.expose{produce = produce, gen_server = gen_server}
lesson.exercise("write produce.fn = function(consumer, n) ... end, a producer that sends n items to consumer " ..
  "and never lets more than one wait in its mailbox; check() runs it against a stuck consumer",
  pushback_check,
  function()
    produce.fn = function(to, n) for i = 1, n do otp.gen_server.call(to, {"item", i}) end end
  end)

lesson.finish{try = "otp.sys.suspend(\"consumer\"); for i = 1, 1000 do otp.gen_server.cast(\"consumer\", \"tick\") end; pp(otp.process_info(otp.whereis(\"consumer\"), \"message_queue_len\")); otp.sys.resume(\"consumer\")",
              next = "What happened"}
