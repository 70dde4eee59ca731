-- Lesson 19: A slow consumer's mailbox
-- casts never wait, so a consumer slower than its producer lets its mailbox grow; a call pushes back.
local lesson, expect = otp.lesson, otp.expect
local gen_server, sys = otp.gen_server, otp.sys
lesson.title("A slow consumer's mailbox")

local consumer = {}
function consumer.init() otp.set_label("consumer"); return "ok", 0 end
function consumer.handle_cast(_, n) return "noreply", n + 1 end
function consumer.handle_call(_, _, n) return "reply", n + 1, n + 1 end
local c = assert(gen_server.start_link(consumer, nil, {name = "consumer"}))

lesson.step("The consumer falls behind (here: suspended) while 1000 casts arrive", function()
  sys.suspend(c)                       -- a consumer stuck on something slow
  for i = 1, 1000 do gen_server.cast(c, {"item", i}) end
  local len = otp.process_info(c, "message_queue_len")
  expect.eq(len, 1000)
  lesson.say("Every cast returned at once; all 1000 wait in its mailbox:")
  lesson.show({message_queue_len = len, memory = otp.process_info(c, "memory")})
  lesson.say("Nothing tells the producer to slow down: the queue and the memory just grow.")
  sys.resume(c)
  expect.eq(gen_server.call(c, "count"), 1001)
  expect.eq(otp.process_info(c, "message_queue_len"), 0)
  lesson.say("Resumed, it worked through them in order; the call came after all 1000.")
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

lesson.finish{try = "otp.process_info(otp.whereis(\"consumer\"), \"message_queue_len\") while you cast",
              next = "What happened"}
