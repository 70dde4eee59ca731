-- bench/scan.lua Q R: a selective receive that skips Q queued messages.
--
-- Q messages {"unrelated", i} sit in the mailbox; R times the process sends
-- itself {"wanted", k} and takes it with receive(otp.match{"wanted", k}),
-- which has to look at the Q unrelated messages first (no ref is involved,
-- so no receive marker helps). Reports the median time per skipped message.
--
--   build/otplab run bench/scan.lua [Q=10000] [R=200]
--   -> scan ns_per_skipped=<float> queued=<Q> n=<R>
--
-- Twin: bench/erlang/scan.erl (receive {wanted, K} -> ok end).

local Q = math.tointeger(tonumber(arg and arg[1] or 10000))
local R = math.tointeger(tonumber(arg and arg[2] or 200))
assert(Q and Q >= 1 and R and R >= 1, "usage: scan.lua [Q>=1] [R>=1]")

local send, receive, match, now = otp.send, otp.receive, otp.match, otp.monotonic_time
local me = otp.self()
for i = 1, Q do send(me, {"unrelated", i}) end
receive(match{"wanted", 0}, 0)       -- one untimed scan (warm-up)
local times = {}
for k = 1, R do
  local t0 = now("nanosecond")
  send(me, {"wanted", k})
  local m = receive(match{"wanted", k})
  times[k] = now("nanosecond") - t0
  assert(m[2] == k)
end
assert(otp.process_info(me, "message_queue_len") == Q, "the unrelated messages must stay queued")
table.sort(times)
print(string.format("scan ns_per_skipped=%.3f queued=%d n=%d", times[(R + 1) // 2] / Q, Q, R))
