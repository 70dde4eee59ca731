-- C3f: whatever builds a huge result in a sandbox meets the sandbox's own
-- memory limit: string.rep, string.format doubling a string, table.concat,
-- utf8.char, string.pack (a huge padded field, a long string), gsub, `..`
-- doubling in a loop, otp.inspect of a huge table. Each process is stopped
-- with the sandbox's limit kill ({"limit", "max_memory"}, counted in
-- limit_kills), not by the node's memory limit and not after a long stall:
-- each DOWN comes within a bounded wait while this host process keeps
-- running. A width Lua refuses (%99999d) is Lua's clear error, and a loop
-- that appends to a string (quadratic, but each step small and the old
-- strings collected) is just a busy process: host ticks go by meanwhile,
-- its sandbox stays under the limit, and it can be killed.
local expect = otp.expect
local ticks = dofile((arg[0]:match("^(.*/)") or "") .. "_ticks.lua")
local me = otp.self()
local LIMIT = 8 * 1024 * 1024
expect.eq(otp.sandbox.create("c3f_big", {max_memory = LIMIT}), true)

local BOMBS = {
  rep = function() return string.rep("x", 2^30) end,
  rep_sep = function() return ("a"):rep(3e6, ("b"):rep(10)) end,
  format = function()
    local s = "x"
    while true do s = string.format("%s%s", s, s) end
  end,
  concat = function()
    local t, piece = {}, ("y"):rep(10000)
    for i = 1, 2000 do t[i] = piece end
    return table.concat(t)
  end,
  utf8_char = function()
    local cps, keep = {}, {}
    for i = 1, 100000 do cps[i] = 0x10FFFF end
    while true do keep[#keep + 1] = utf8.char(table.unpack(cps)) end
  end,
  pack_padding = function() return string.pack("c1000000000", "") end,
  pack_string = function() return string.pack("s", ("z"):rep(5e6)) end,
  gsub = function() return (("x"):rep(1e6)):gsub(".", ("y"):rep(100)) end,
  doubling = function()
    local s = "x"
    while true do s = s .. s end
  end,
  inspect = function()
    local t = {}
    for i = 1, 200000 do t[i] = {i, "v" .. i} end
    return #otp.inspect(t)
  end,
}
local names = {}
for name in pairs(BOMBS) do names[#names + 1] = name end
table.sort(names)

for _, name in ipairs(names) do
  local before = otp.sandbox.info("c3f_big").limit_kills
  local pid, ref = otp.spawn_opt(BOMBS[name], {sandbox = "c3f_big", monitor = true})
  local down = expect.receive({"DOWN", ref}, 30000)
  expect.eq(down[5], {"limit", "max_memory"}, name .. " is stopped by the sandbox's limit")
  expect.eq(otp.sandbox.info("c3f_big").limit_kills, before + 1, name .. " is counted")
  expect.dead(pid)
end

-- a width Lua refuses is Lua's error, at once
local pid, ref = otp.spawn_opt(function(to)
  otp.send(to, {"format", pcall(string.format, "%99999d", 1)})
end, {sandbox = "c3f_big", monitor = true}, me)
expect.eq(expect.receive({"format"}, 10000),
          {"format", false, "invalid conversion specification: '%99999d'"})
expect.eq(expect.receive({"DOWN", ref}, 10000)[5], "normal")
expect.dead(pid)

-- appending in a loop: a busy process, not a stall; under the limit
local appender = otp.sandbox.spawn("c3f_big", function(to)
  local s = ""
  otp.send(to, {"appending", otp.self()})
  while true do s = s .. "abcdefgh" end
end, me)
expect.receive({"appending", appender}, 10000)
ticks(50)
expect.alive(appender, "the appending process is preempted, not stopped")
expect.truthy(otp.sandbox.info("c3f_big").memory <= LIMIT, "the sandbox stays within its limit")
local aref = otp.monitor(appender)
otp.exit(appender, "kill")
expect.eq(expect.receive({"DOWN", aref}, 10000)[5], "killed")
otp.sandbox.destroy("c3f_big")
