-- bench/patterns.lua N: the sandbox's pattern functions (otplab's resumable
-- engine) against Lua's own in a host process, on the same work.
--
--   build/otplab run bench/patterns.lua [N=20000]
--   -> patterns <case> host_us=<float> sandbox_us=<float> ratio=<float>
--
-- Each case runs N times in one process; the time is per call (mean).

local N = math.tointeger(tonumber(arg and arg[1] or 20000))
assert(N and N >= 1, "usage: patterns.lua [N>=1]")

local CASES = {
  {"find_word", function(s) return s:find("%f[%w]quick%f[%W]") end},
  {"match_kv", function(s) return s:match("^(%w+)%s*=%s*(.-)%s*$") end},
  {"gmatch_words", function(s) local n = 0 for _ in s:gmatch("%a+") do n = n + 1 end return n end},
  {"gsub_vowels", function(s) return (s:gsub("[aeiou]", "%0%0")) end},
  {"backtrack_14", function() return (("a"):rep(14)):find(("a?"):rep(14) .. ("a"):rep(14)) end},
}
local SUBJECT = "key = the quick brown fox jumps over the lazy dog, again and again  "

local function run(n, subject)
  local out = {}
  for _, c in ipairs(CASES) do
    local f = c[2]
    for _ = 1, 100 do f(subject) end
    local t0 = otp.monotonic_time("nanosecond")
    for _ = 1, n do f(subject) end
    out[c[1]] = (otp.monotonic_time("nanosecond") - t0) / n / 1000
  end
  return out
end

local host = run(N, SUBJECT)
otp.sandbox.create("bench_patterns", {})
local me = otp.self()
otp.sandbox.spawn("bench_patterns", function(to, n, subject)
  otp.send(to, {"times", run(n, subject)})
end, me, N, SUBJECT)
local sb = otp.receive(otp.match{"times"})[2]
for _, c in ipairs(CASES) do
  local name = c[1]
  print(string.format("patterns %s host_us=%.3f sandbox_us=%.3f ratio=%.2f", name,
                      host[name], sb[name], sb[name] / host[name]))
end
otp.sandbox.destroy("bench_patterns")
