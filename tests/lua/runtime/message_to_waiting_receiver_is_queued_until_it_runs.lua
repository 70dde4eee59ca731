-- A message sent to a process that waits in receive() is handed straight to
-- it (no queue round trip), but until the receiver runs it must still show
-- in process_info like any queued message, and arrive first, in order.
local me = otp.self()
local p = otp.spawn(function()
  otp.send(me, "waiting")
  local got = {}
  for i = 1, 3 do got[i] = otp.receive() end
  otp.send(me, got)
end)
assert(otp.receive(nil, 2000) == "waiting", "the receiver never started")
-- p is now waiting in receive(); nothing runs until we wait ourselves
assert(otp.process_info(p, "status") == "waiting", "the receiver should be waiting")
otp.send(p, {"first"})
otp.send(p, {"second"})
otp.send(p, {"third"})
assert(otp.process_info(p, "message_queue_len") == 3,
  "3 messages sent, queue length " .. otp.process_info(p, "message_queue_len"))
local msgs = otp.process_info(p, "messages")
assert(#msgs == 3 and msgs[1][1] == "first" and msgs[2][1] == "second" and msgs[3][1] == "third",
  "process_info messages must list the three in order")
local got = otp.receive(nil, 2000)
assert(got, "the receiver did not answer")
assert(got[1][1] == "first" and got[2][1] == "second" and got[3][1] == "third",
  "messages arrived out of order")
