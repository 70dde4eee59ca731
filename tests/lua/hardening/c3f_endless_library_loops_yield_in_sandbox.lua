-- C3f: no stock library call a sandbox can make may hold the scheduler. Lua's
-- string.rep("", math.maxinteger) counts to 2^63 doing nothing, and
-- table.move over a huge range or table.insert/remove on a table whose
-- __len says it is huge step through every index in C. In a sandbox rep
-- answers at once, and the table loops yield between slices: a host ticker
-- gets its 50 turns while each one runs, the looping process is alive and
-- can be killed. On ordinary arguments the four answer exactly as Lua does
-- in a host process (values, the tables they leave, error messages).
local expect = otp.expect
local ticks = dofile((arg[0]:match("^(.*/)") or "") .. "_ticks.lua")
local me = otp.self()
expect.eq(otp.sandbox.create("c3f_loops", {}), true)

local CASES = [=[
local huge = setmetatable({}, {__len = function() return math.maxinteger - 1 end})
local function show(ok, ...)
  local t = {tostring(ok)}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if type(v) == "table" then
      local parts = {}
      for k = -1, 8 do parts[#parts + 1] = tostring(rawget(v, k)) end
      v = "{" .. table.concat(parts, ",") .. "}"
    end
    t[#t + 1] = tostring(v)
  end
  return table.concat(t, "|")
end
local function seq() return {1, 2, 3, 4, 5} end
return {
  function() return show(pcall(string.rep, "ab", 3)) end,
  function() return show(pcall(string.rep, "ab", 3, ", ")) end,
  function() return show(pcall(string.rep, "", 5, "-")) end,
  function() return show(pcall(string.rep, "x", 1, "-")) end,
  function() return show(pcall(string.rep, "xyz", 0)) end,
  function() return show(pcall(string.rep, "xyz", -3)) end,
  function() return show(pcall(string.rep, "x", math.maxinteger)) end,
  function() return show(pcall(string.rep, "x", 2^31)) end,
  function() return show(pcall(string.rep, "x", 2.5)) end,
  function() return show(pcall(string.rep, "x")) end,
  function() return show(pcall(string.rep, {}, 2)) end,
  function() return show(pcall(string.rep, 12, 3, 0)) end,
  function() return show(pcall(function() return ("ab"):rep(4, "|") end)) end,
  function() return show(pcall(table.move, seq(), 2, 4, 1)) end,
  function() return show(pcall(table.move, seq(), 1, 3, 3)) end,
  function() return show(pcall(table.move, seq(), 1, 5, 1, {})) end,
  function() return show(pcall(table.move, seq(), 3, 1, 1)) end,
  function() return show(pcall(table.move, seq(), 1, math.maxinteger, 2)) end,
  function() return show(pcall(table.move, seq(), -1, math.maxinteger, 1)) end,
  function() return show(pcall(table.move, seq(), 1, 2, math.maxinteger)) end,
  function() return show(pcall(table.move, 5, 1, 2, 1)) end,
  function() return show(pcall(table.move, seq(), 1, 2, 1, 5)) end,
  function() return show(pcall(table.move, seq(), 1, 2)) end,
  function() return show(pcall(table.move, seq(), "1", 2.0, 3)) end,
  function() return show(pcall(table.insert, seq(), "x")) end,
  function() return show(pcall(table.insert, seq(), 1, "x")) end,
  function() return show(pcall(table.insert, seq(), 6, "x")) end,
  function() return show(pcall(table.insert, seq(), 7, "x")) end,
  function() return show(pcall(table.insert, seq(), 0, "x")) end,
  function() return show(pcall(table.insert, seq(), 1, 2, 3)) end,
  function() return show(pcall(table.insert, seq())) end,
  function() return show(pcall(table.insert, 5, 1)) end,
  function() return show(pcall(table.insert, seq(), 1.5, "x")) end,
  function() local t = seq(); table.insert(t, 3, "x"); return show(true, t) end,
  function() return show(pcall(table.remove, seq())) end,
  function() return show(pcall(table.remove, seq(), 1)) end,
  function() return show(pcall(table.remove, seq(), 6)) end,
  function() return show(pcall(table.remove, seq(), 7)) end,
  function() return show(pcall(table.remove, {})) end,
  function() return show(pcall(table.remove, {}, 0)) end,
  function() return show(pcall(table.remove, {}, -1)) end,
  function() return show(pcall(table.remove, "x")) end,
  function() local t = seq(); table.remove(t, 2); return show(true, t) end,
  function() return show(pcall(table.remove, huge, math.maxinteger)) end,
}
]=]

local host = {}
for i, f in ipairs(load(CASES)()) do host[i] = f() end
local pid = otp.sandbox.spawn("c3f_loops", function(src, to)
  local out = {}
  for i, f in ipairs(load(src)()) do out[i] = f() end
  otp.send(to, {"answers", out})
end, CASES, me)
local answers = expect.receive({"answers"}, 30000)[2]
for i = 1, #host do
  expect.eq(answers[i], host[i], "case " .. i .. " answers as Lua does")
end
expect.eq(#answers, #host)

-- what Lua would take centuries over: answered at once (Lua's answer, "")
local pid2 = otp.sandbox.spawn("c3f_loops", function(to)
  otp.send(to, {"empty", string.rep("", math.maxinteger), ("")
    :rep(math.maxinteger, ""), #string.rep("", math.maxinteger - 1, "")})
end, me)
expect.eq(expect.receive({"empty"}, 10000), {"empty", "", "", 0})
expect.dead(pid2)

-- each endless loop yields: 50 host ticks go by, the loop has not returned
local LOOPS = {
  move = function() table.move({}, 1, math.maxinteger - 1, 1) end,
  move_back = function() table.move({}, 1, math.maxinteger - 2, 2) end,
  insert = function()
    table.insert(setmetatable({}, {__len = function() return math.maxinteger - 1 end}), 1, 0)
  end,
  remove = function()
    table.remove(setmetatable({}, {__len = function() return math.maxinteger end}), 1)
  end,
}
for _, name in ipairs{"move", "move_back", "insert", "remove"} do
  local loop = LOOPS[name]
  local looper = otp.sandbox.spawn("c3f_loops", function(to)
    otp.send(to, {"started", otp.self()})
    loop()
    otp.send(to, {"returned"})
  end, me)
  expect.receive({"started", looper}, 10000)
  ticks(50)
  expect.eq(otp.receive({"returned"}, 0), nil, name .. " is still looping")
  expect.alive(looper, name .. ": the looping process was preempted, not stopped")
  local ref = otp.monitor(looper)
  otp.exit(looper, "kill")
  expect.eq(expect.receive({"DOWN", ref}, 10000)[5], "killed")
end
expect.dead(pid)
otp.sandbox.destroy("c3f_loops")
