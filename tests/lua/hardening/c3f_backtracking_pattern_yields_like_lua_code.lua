-- C3f: a backtracking pattern in a sandbox cannot hold the node. The
-- classic exponential find (("a?"):rep(40) .. ("a"):rep(40) against 40 a's
-- backtracks for hours) runs in a sandboxed process; meanwhile a host ticker
-- gets 50 turns (each tick is a message), and only then does the test look:
-- the find has not returned, the process is alive and still using CPU (it
-- yields between slices like Lua code, it was not killed as stuck). The same
-- holds for match, gmatch and gsub, the s:find method form and a find inside
-- a coroutine, and for the 30-character case (minutes of backtracking).
-- Inside a __tostring, where it cannot yield, the sandbox's stuck-call limit
-- stops it. A smaller find of the same shape ends with Lua's answer.
local expect = otp.expect
local ticks = dofile((arg[0]:match("^(.*/)") or "") .. "_ticks.lua")
local me = otp.self()
local N = 40
local SUBJECT, PATTERN = ("a"):rep(N), ("a?"):rep(N) .. ("a"):rep(N)

expect.eq(otp.sandbox.create("c3f_stall", {}), true)

local RUNS = {
  find = function(s, p) return string.find(s, p) end,
  match = function(s, p) return string.match(s, p) end,
  gmatch = function(s, p) return string.gmatch(s, p)() end,
  gsub = function(s, p) return string.gsub(s, p, "x") end,
  method = function(s, p) return s:find(p) end,
  coroutine = function(s, p) return coroutine.wrap(function() return s:match(p) end)() end,
}

local function ticks_while_stuck(kind, subject, pattern)
  local run = RUNS[kind]        -- copied into the sandbox with the function
  local pid = otp.sandbox.spawn("c3f_stall", function(host, s, p)
    otp.send(host, {"started", otp.self()})
    otp.send(host, {"returned", run(s, p)})
  end, me, subject or SUBJECT, pattern or PATTERN)
  expect.receive({"started", pid}, 10000)
  local r0 = otp.process_info(pid, "reductions")
  ticks(50)
  expect.eq(otp.receive({"returned"}, 0), nil, kind .. ": the match is still running")
  expect.alive(pid, kind .. ": the matching process was not stopped")
  expect.eventually(function() return otp.process_info(pid, "reductions") > r0 end,
                    10000, kind .. ": and it keeps running")
  local ref = otp.monitor(pid)
  otp.exit(pid, "kill")
  expect.eq(expect.receive({"DOWN", ref}, 10000)[5], "killed")
end

for _, kind in ipairs{"find", "match", "gmatch", "gsub", "method", "coroutine"} do
  ticks_while_stuck(kind)
end
ticks_while_stuck("find", ("a"):rep(30), ("a?"):rep(30) .. ("a"):rep(30))

-- inside a __tostring (under tostring, a C call) the match cannot yield: the
-- sandbox's stuck-call limit stops it, as it stops a loop there (C3e)
local spid, sref = otp.spawn_opt(function(sub, pat)
  tostring(setmetatable({}, {__tostring = function() return tostring(sub:find(pat)) end}))
end, {sandbox = "c3f_stall", monitor = true}, SUBJECT, PATTERN)
local down = expect.receive({"DOWN", sref}, 10000)
expect.eq(down[5][1], "error")
expect.eq(down[5][2], "process ran more than 5 ms inside a call that cannot be " ..
          "preempted and was stopped")
expect.dead(spid)

-- a smaller case of the same shape ends, with the answer Lua gives
local n = 14
local s, p = ("a"):rep(n), ("a?"):rep(n) .. ("a"):rep(n)
local pid, ref = otp.spawn_opt(function(host)
  otp.send(host, {"answer", s:find(p)})
end, {sandbox = "c3f_stall", monitor = true}, me)
expect.eq(expect.receive({"answer"}, 30000), {"answer", string.find(s, p)})
expect.eq(expect.receive({"DOWN", ref}, 10000)[5], "normal")
expect.dead(pid)
otp.sandbox.destroy("c3f_stall")
