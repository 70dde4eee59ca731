-- C3f: Lua's table.sort runs in C: a big array holds the scheduler for as long
-- as it takes (a million numbers, a quarter of a second), and its order
-- function runs where it cannot yield, so a sandbox's sort with a comparator
-- of a few slices used to be stopped as stuck. A sandbox's table.sort is a
-- merge sort that yields between slices and lets the order function yield:
-- 300,000 elements sort with and without a comparator: a host ticker takes
-- 10 turns while the sort is still running, and the result is sorted. On small arrays it answers
-- as Lua does in a host process (numbers, strings, reversed orders, empty
-- and one-element arrays, the argument errors); only the order in which an
-- erroring comparator is first called may differ.
local expect = otp.expect
local ticks = dofile((arg[0]:match("^(.*/)") or "") .. "_ticks.lua")
local me = otp.self()
expect.eq(otp.sandbox.create("c3f_sort", {}), true)

local CASES = [[
return function()
  local out = {}
  local function show(ok, t)
    if not ok then return "error: " .. tostring(t) end
    if t == nil then return "ok" end
    return table.concat(t, ",")
  end
  local seed = 7
  local function r(n) seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n + 1 end
  for n = 0, 80 do
    local t, t2, t3 = {}, {}, {}
    for i = 1, n do t[i] = r(20); t2[i] = t[i]; t3[i] = tostring(t[i]) .. "x" end
    out[#out + 1] = show(pcall(function() table.sort(t) return t end))
    out[#out + 1] = show(pcall(function() table.sort(t2, function(a, b) return a > b end) return t2 end))
    out[#out + 1] = show(pcall(function() table.sort(t3) return t3 end))
  end
  out[#out + 1] = show(pcall(table.sort, {3, "a", 1}))
  out[#out + 1] = show(pcall(table.sort, {3, 2, 1}, 5))
  out[#out + 1] = show(pcall(table.sort, {3}, 5))
  out[#out + 1] = show(pcall(table.sort, 5))
  out[#out + 1] = show(pcall(table.sort, {}))
  local big = setmetatable({}, {__len = function() return 2^31 end})
  out[#out + 1] = show(pcall(table.sort, big))
  return out
end]]
local host = load(CASES)()()
otp.sandbox.spawn("c3f_sort", function(src, to) otp.send(to, {"sorted", load(src)()()}) end,
                  CASES, me)
local sb = expect.receive({"sorted"}, 10000)[2]
for i = 1, #host do expect.eq(sb[i], host[i], "case " .. i .. " sorts as Lua does") end
expect.eq(#sb, #host)

-- an erroring comparator's error comes out of the sandbox's sort
local epid = otp.sandbox.spawn("c3f_sort", function(to)
  otp.send(to, {"cmp", pcall(table.sort, {3, 2, 1}, function() error("no order", 0) end)})
end, me)
expect.eq(expect.receive({"cmp"}, 10000), {"cmp", false, "no order"})
expect.dead(epid)

for _, with_cmp in ipairs{true, false} do
  local sorter = otp.sandbox.spawn("c3f_sort", function(to, cmp)
    local t = {}
    for i = 1, 300000 do t[i] = (i * 7919) % 300007 end
    otp.send(to, {"sorting", otp.self()})
    if cmp then table.sort(t, function(a, b) return a < b end) else table.sort(t) end
    local ok = #t == 300000
    for i = 2, #t do ok = ok and t[i - 1] <= t[i] end
    otp.send(to, {"done", ok})
  end, me, with_cmp)
  expect.receive({"sorting", sorter}, 10000)
  ticks(10)
  expect.eq(otp.receive({"done"}, 0), nil, "the sort was still running during the ticks")
  expect.eq(expect.receive({"done"}, 60000), {"done", true},
            "the big sort ends sorted (comparator: " .. tostring(with_cmp) .. ")")
end
otp.sandbox.destroy("c3f_sort")
