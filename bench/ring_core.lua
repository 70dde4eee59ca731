-- bench/ring_core.lua: the ring shared by bench/ring.lua and
-- bench/traced_ring.lua (loaded with dofile; returns one function).
--
-- ring(N, M[, around]) builds a ring of N processes (this one plus N-1
-- workers), passes a table token {"token", k} once around untimed (warm-up),
-- then N*M timed hops, checks the counter and takes the ring down. around,
-- if given, is called as around("start") before the warm-up lap and
-- around("stop") right after the last timed hop. Returns the number of
-- timed messages and the microseconds they took.

-- A ring member: forward the token (counter + 1) to `next` until "stop",
-- which it passes on before returning. Its only upvalue is _ENV; it looks
-- `otp` up once, as a local.
local function worker(next)
  local otp = otp
  local send, receive = otp.send, otp.receive
  while true do
    local msg = receive()
    if msg == "stop" then
      send(next, "stop")
      return
    end
    send(next, {"token", msg[2] + 1})
  end
end

return function(N, M, around)
  local send, receive, now = otp.send, otp.receive, otp.monotonic_time
  -- Build the ring backwards: the last worker sends to us, each new one
  -- sends to the previous; `first` ends up as the head (ourselves if N == 1).
  local first = otp.self()
  for _ = 1, N - 1 do
    first = otp.spawn(worker, first)
  end

  -- Pass the token until its counter reaches `total`; returns the counter.
  local function laps(total)
    send(first, {"token", 1})
    while true do
      local k = receive()[2]
      if k >= total then return k end
      send(first, {"token", k + 1})
    end
  end

  if around then around("start") end
  laps(N)            -- one untimed lap: both sides measure a warm ring
  local total = N * M
  local t0 = now("microsecond")
  local k = laps(total)
  local t1 = now("microsecond")
  if around then around("stop") end
  assert(k == total, ("token counter %s, expected %d"):format(tostring(k), total))

  -- Take the ring down (outside the measurement) and wait until it is done.
  send(first, "stop")
  receive(function(m) return m == "stop" end)
  return total, math.max(t1 - t0, 1)
end
