-- bench/ring.lua N M: message throughput around a ring of processes.
--
-- The ring is N processes: this script's main process plus N-1 spawned
-- workers, so one lap is exactly N messages and a run is N*M messages.
-- The token is a table {"token", k}; every hop sends a fresh table with
-- k + 1, so when the token comes back for the last time k must equal N*M.
-- One untimed warm-up lap first; then the clock runs from the first send
-- until the last return.
--
--   build/otplab run bench/ring.lua [N=1000] [M=100]
--   -> ring msgs_per_s=<float> n=<N> m=<M>
--
-- Twin: bench/erlang/ring.erl does the same work with a tuple {token, K}.

-- A ring member: forward the token (counter + 1) to `next` until "stop",
-- which it passes on before returning. Defined before any main-chunk local
-- so that its only upvalue is _ENV; it looks `otp` up once, as a local.
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

local N = math.tointeger(tonumber(arg and arg[1] or 1000))
local M = math.tointeger(tonumber(arg and arg[2] or 100))
assert(N and N >= 1 and M and M >= 1, "usage: ring.lua [N>=1] [M>=1]")

local send, receive, now = otp.send, otp.receive, otp.monotonic_time

-- Build the ring backwards: the last worker sends to us, each new one sends
-- to the previous; `first` ends up as the head (ourselves when N == 1).
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

laps(N)            -- one untimed lap: both sides measure a warm ring
local total = N * M
local t0 = now("microsecond")
local k = laps(total)
local t1 = now("microsecond")
assert(k == total, ("token counter %s, expected %d"):format(tostring(k), total))

-- Take the ring down (outside the measurement) and wait until it is done.
send(first, "stop")
receive(function(m) return m == "stop" end)

local us = math.max(t1 - t0, 1)
io.write(("ring msgs_per_s=%.1f n=%d m=%d\n"):format(total * 1e6 / us, N, M))
