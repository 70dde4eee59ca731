-- A10: the DOWN reason is the exit reason; a monitor by registered name
-- reports {Name, Node} in the DOWN.
local expect = require "otp.expect"
local main = otp.self()
otp.log_level("none")

local function ender(how, reason)
  otp.receive()
  if how == "exit" then otp.exit(reason) end
  if how == "error" then error(reason, 0) end
end

-- 1. By pid, for every way of dying.
local cases = {
  {"return", nil, "normal"},
  {"exit", "boom", "boom"},
  {"exit", {"shutdown", {1, 2}}, {"shutdown", {1, 2}}},
  {"exit", "kill", "kill"},
  {"error", "bad", {"error", "bad", otp._}},
}
for _, c in ipairs(cases) do
  local p = otp.spawn(ender, c[1], c[2])
  local ref = otp.monitor(p)
  expect.eq(otp.process_info(main, "monitors"), {{"process", p}})
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, c[3]})
  expect.eq(otp.process_info(main, "monitors"), {}, "a fired monitor is gone")
end

-- 2. Killed by exit/2: "killed".
do
  local p = otp.spawn(ender, "return")
  local ref = otp.monitor(p)
  otp.exit(p, "kill")
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, "killed"})
end

-- 3. Killed by exit/2 with another reason.
do
  local p = otp.spawn(ender, "return")
  local ref = otp.monitor(p)
  otp.exit(p, {"custom", 1})
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", p, {"custom", 1}})
end

-- 4. By registered name: the DOWN names {name, node}, with the real reason.
do
  local p = otp.spawn(ender, "exit", "named boom")
  otp.register("watched", p)
  local ref = otp.monitor("watched")
  expect.eq(otp.process_info(main, "monitors"), {{"process", {"watched", "nonode@nohost"}}})
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", ref}),
            {"DOWN", ref, "process", {"watched", "nonode@nohost"}, "named boom"})
end

-- 5. The name is resolved when the monitor is set: the monitor follows the
-- process even after it unregisters.
do
  local p = otp.spawn(function() otp.unregister("renamed"); otp.receive(); otp.exit("late") end)
  otp.register("renamed", p)
  local ref = otp.monitor("renamed")
  otp.send(p, "go")
  expect.eq(expect.receive({"DOWN", ref}),
            {"DOWN", ref, "process", {"renamed", "nonode@nohost"}, "late"})
end
