-- bench/idle_million.lua N [R]: holding N idle processes (default 1,000,000).
--
-- (a) memory: spawn N processes that each send "ready" and block in
--     otp.receive(); once all are ready and report status "waiting", the
--     growth of the resident set (/proc/self/statm, the OS's count, so
--     every allocator's overhead is in it) divided by N.
-- (b) pause: while they are held, a ticker process wakes every millisecond
--     (a receive with a 1 ms timeout) and records the longest gap between
--     two wake-ups, while this process makes R rounds of garbage (a table
--     of 100 one-element tables each): the collector has to run with all N
--     processes in the heap. The row is that longest gap. The time of one
--     full collection (collectgarbage("collect")) is printed beside it.
--
--   build/otplab run bench/idle_million.lua [N=1000000] [R=200000]
--   -> idle rss_per_proc=<bytes> max_gap_ms=<float> full_gc_ms=<float> churn_ms=<float>
--      ticks=<n> n=<N>
--
-- Twin: bench/erlang/idle_million.erl (the same, with erlang:garbage_collect()
-- of every process as its full collection).

local N = math.tointeger(tonumber(arg and arg[1] or 1000000))
local R = math.tointeger(tonumber(arg and arg[2] or 200000))
assert(N and N >= 1 and R and R >= 1, "usage: idle_million.lua [N>=1] [R>=1]")
local now = otp.monotonic_time

local function page_size()
  local f = io.popen("getconf PAGESIZE")
  local v = f and tonumber(f:read("l"))
  if f then f:close() end
  return v or 4096
end
local PAGE = page_size()

local function rss_bytes()
  local f = assert(io.open("/proc/self/statm"))
  local _, resident = f:read("n", "n")
  f:close()
  return resident * PAGE
end

local function idle(parent)
  otp.send(parent, "ready")
  otp.receive()
end

local function ticker(parent)
  local receive, clock = otp.receive, otp.monotonic_time
  local last, max, ticks = clock("microsecond"), 0, 0
  otp.send(parent, "ticking")
  while true do
    local m = receive(nil, 1)
    local t = clock("microsecond")
    if t - last > max then max = t - last end
    last, ticks = t, ticks + 1
    if m == "stop" then
      otp.send(parent, {"gap", max, ticks})
      return
    end
  end
end

local me = otp.self()
collectgarbage("collect")
local before = rss_bytes()
local pids = {}
for i = 1, N do pids[i] = otp.spawn(idle, me) end
for _ = 1, N do otp.receive(function(m) return m == "ready" end) end
for i = 1, N do      -- having sent "ready" a process may not be waiting yet
  while otp.process_info(pids[i], "status") ~= "waiting" do otp.yield() end
end
collectgarbage("collect")
local rss = (rss_bytes() - before) / N

local tk = otp.spawn(ticker, me)
otp.receive(function(m) return m == "ticking" end)
local c0 = now("microsecond")
for _ = 1, R do
  local t = {}
  for j = 1, 100 do t[j] = {j} end
end
local churn_ms = (now("microsecond") - c0) / 1000
otp.send(tk, "stop")
local gap = otp.receive(otp.match{"gap"})

local t0 = now("microsecond")
collectgarbage("collect")
local full_ms = (now("microsecond") - t0) / 1000
print(string.format("idle rss_per_proc=%.1f max_gap_ms=%.3f full_gc_ms=%.3f churn_ms=%.1f ticks=%d n=%d",
                    rss, gap[2] / 1000, full_ms, churn_ms, gap[3], N))
for i = 1, N do otp.exit(pids[i], "kill") end
