-- A9: link(DeadPid): a trapping caller gets true and receives
-- {'EXIT', DeadPid, noproc}; a non-trapping caller gets the error noproc.
local expect = require "otp.expect"
local main = otp.self()

local dead, ref = otp.spawn_monitor(function() end)
expect.receive({"DOWN", ref})
expect.dead(dead)

-- 1. Trapping caller: true, then exactly one {"EXIT", dead, "noproc"}; no link.
do
  otp.trap_exit(true)
  expect.eq(otp.link(dead), true)
  expect.eq(expect.receive({"EXIT", dead}, 0), {"EXIT", dead, "noproc"})
  expect.no_message({"EXIT", dead}, 0, "exactly one EXIT")
  expect.eq(otp.process_info(main, "links"), {})
  expect.alive(main)
  otp.trap_exit(false)
end

-- 2. Non-trapping caller: a Lua error starting with "noproc"; no message,
-- no link, and the caller lives on (the error was caught).
do
  local err = expect.error(function() otp.link(dead) end, "noproc")
  expect.eq(type(err), "string")
  expect.no_message({"EXIT", dead}, 0)
  expect.eq(otp.process_info(main, "links"), {})
  expect.alive(main)
end

-- 3. The same from another process; uncaught, the noproc error ends it as
-- any error does ({"error", msg, traceback}), with msg starting "noproc".
do
  local p, pref = otp.spawn_monitor(function(d) otp.link(d) end, dead)
  local down = expect.receive({"DOWN", pref})
  expect.eq(down, {"DOWN", pref, "process", p, {"error", otp._, otp._}})
  local r = down[5]
  expect.truthy(type(r[2]) == "string" and r[2]:sub(1, 6) == "noproc",
                "the error message starts with noproc: " .. tostring(r[2]))
end

-- 4. A trapping process of its own: same as 1.
do
  local p, pref = otp.spawn_monitor(function(d, boss)
    otp.trap_exit(true)
    local ok = otp.link(d)
    otp.send(boss, {"result", ok, otp.receive(nil, 1000)})
  end, dead, main)
  expect.eq(expect.receive({"result"}), {"result", true, {"EXIT", dead, "noproc"}})
  expect.eq(expect.receive({"DOWN", pref}), {"DOWN", pref, "process", p, "normal"})
end
