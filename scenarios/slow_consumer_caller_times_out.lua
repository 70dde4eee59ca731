-- A slow consumer: each request takes it 50 ms, its mailbox grows under a
-- burst, and a caller with a 120 ms timeout gives up (rule B1) while the
-- backlog is still being worked off.
local expect, gen_server = otp.expect, otp.gen_server
local consumer = gen_server.start({
  init = function() return "ok", 0 end,
  handle_cast = function(_, n) otp.sleep(50) return "noreply", n + 1 end,
  handle_call = function(_, _, n) return "reply", n, n end,
})
for i = 1, 10 do gen_server.cast(consumer, {"item", i}) end
expect.truthy(otp.process_info(consumer, "message_queue_len") >= 8)
local ok, err = pcall(gen_server.call, consumer, "count", 120)
expect.falsy(ok)
expect.eq(err[2][1], "timeout")
expect.eq(gen_server.call(consumer, "count", 2000), 10)   -- the backlog, then the call
