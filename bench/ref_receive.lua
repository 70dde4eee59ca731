-- bench/ref_receive.lua Q R: request/reply round trip matched on a fresh ref
-- while Q unrelated messages sit in the caller's mailbox.
--
-- A receive that matches a ref made just before the request only needs to
-- look at messages that arrived after the ref (the receive marker), so the
-- round trip must not grow with Q. Median of R round trips.
--
--   build/otplab run bench/ref_receive.lua [Q=10000] [R=1000]
--   -> ref_receive rtt_us=<float> queued=<Q> n=<R>
--
-- Twin: bench/erlang/ref_receive.erl (same work with make_ref/0).

local Q = math.tointeger(tonumber(arg and arg[1] or 10000))
local R = math.tointeger(tonumber(arg and arg[2] or 1000))
assert(Q and Q >= 0 and R and R >= 1, "usage: ref_receive.lua [Q>=0] [R>=1]")

local echo = otp.spawn(function()
  local send, receive = otp.send, otp.receive
  while true do
    local req = receive()
    send(req[2], {req[1], "pong"})
  end
end)

local me = otp.self()
for i = 1, Q do otp.send(me, {"unrelated", i}) end

local send, receive, make_ref, match, now = otp.send, otp.receive, otp.make_ref, otp.match, otp.monotonic_time
local times = {}
for i = 1, R do
  local t0 = now("nanosecond")
  local ref = make_ref()
  send(echo, {ref, me})
  local reply = receive(match{ref, "pong"})
  times[i] = now("nanosecond") - t0
  assert(reply[1] == ref)
end
assert(otp.process_info(me, "message_queue_len") == Q, "the unrelated messages must stay queued")
table.sort(times)
print(string.format("ref_receive rtt_us=%.3f queued=%d n=%d", times[(R + 1) // 2] / 1000, Q, R))
otp.exit(echo, "kill")
