-- A state whose heap passes 256 MB runs Lua's incremental collector (a
-- generational major collection of such a heap stops every process for
-- hundreds of milliseconds) and goes back to generational once it is below
-- half that. The switch happens between slices; collectgarbage(mode)
-- answers the mode it replaces.
local expect = otp.expect

local function mode_now()
  local was = collectgarbage("incremental")   -- sets it, answers what it was
  collectgarbage(was)                          -- and puts it back
  return was
end

local function mode_after_slices()
  for _ = 1, 3 do otp.yield() end              -- the scheduler looks between slices
  return mode_now()
end

expect.eq(mode_after_slices(), "generational", "a small heap stays generational")

local big = string.rep(string.rep("x", 1 << 20), 300)   -- 300 copies of 1 MB: fast
expect.eq(mode_after_slices(), "incremental", "300 MB in use: incremental")

big = nil
collectgarbage("collect")
expect.eq(mode_after_slices(), "generational", "back under 128 MB: generational again")
