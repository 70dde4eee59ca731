-- C3e: a process whose loop keeps entering short calls that cannot yield is
-- preempted when such a call returns, never stopped as stuck. otp.spawn runs
-- a small Lua chunk to copy the child's function and string.gsub calls its
-- callback: before, the look every 1000 instructions for the way out could
-- keep landing inside those calls, so the loop held the node for the whole
-- stuck limit (2 s for a host process: every receive timeout of the others
-- fired that late) and was then killed. Sandboxed processes have a 5 ms
-- limit, so there the mistake showed as a wrong stuck kill at once.
local expect = otp.expect
-- Whether a look lands inside depends on the loop's length in instructions,
-- so several shapes of loop are run: the old rule trapped most of them.
local N = 20000
expect.eq(otp.sandbox.create("c3e_loops", {}), true)

local loops = {}
loops[#loops + 1] = {"spawn in a for loop", function(n)
  for _ = 1, n do otp.spawn(function() end) end
end}
loops[#loops + 1] = {"spawn in a while loop", function(n)
  local i = 0
  while i < n do
    otp.spawn(function() end)
    i = i + 1
  end
end}
for _, len in ipairs{8, 20, 33, 40, 50, 100} do
  loops[#loops + 1] = {"gsub over " .. len .. " characters", function(n, size)
    local s = ("x"):rep(size)
    local keep = function(c) return c end
    for _ = 1, n do string.gsub(s, ".", keep) end
  end, len}
end
for _, loop in ipairs(loops) do
  local name, fn, arg = loop[1], loop[2], loop[3]
  local _, ref = otp.spawn_opt(fn, {sandbox = "c3e_loops", monitor = true}, N, arg)
  local down = otp.receive(otp.match{"DOWN", ref}, 120000)
  expect.truthy(down, "the " .. name .. " loop ended")
  expect.eq(down[5], "normal", "the " .. name .. " loop ended normally")
end
