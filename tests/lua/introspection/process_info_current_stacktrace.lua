-- process_info(pid, "current_stacktrace") (issue 4): the Lua traceback
-- (luaL_traceback) of a waiting or runnable process's coroutine, and of the
-- caller itself when it asks about its own pid; nil for a dead process. It
-- is only given when asked for: process_info(pid) leaves it out, as
-- Erlang's process_info/1 does.
local expect = require "otp.expect"
local SRC = debug.getinfo(1, "S").short_src

-- a waiting process: the frames down to the receive it waits in
local p = otp.spawn(function()
  local function inner()
    otp.receive()
  end
  local function outer() inner() end
  outer()
end)
local recv_line = debug.getinfo(1, "l").currentline - 5
expect.eventually(function() return otp.process_info(p, "status") == "waiting" end)
local tb = otp.process_info(p, "current_stacktrace")
expect.eq(type(tb), "string")
expect.truthy(tb:find("^stack traceback:"), tb)
expect.truthy(tb:find("otp.receive", 1, true), "the wait in receive: " .. tb)
expect.truthy(tb:find(SRC .. ":" .. recv_line .. ": in upvalue 'inner'", 1, true), tb)
expect.truthy(tb:find("in local 'outer'", 1, true), tb)
local i1, i2 = tb:find("'inner'", 1, true), tb:find("'outer'", 1, true)
expect.truthy(i1 < i2, "innermost frame first")

-- inspecting does not disturb the process: it still gets its message
local mref = otp.monitor(p)
otp.send(p, "go")
expect.eq(expect.receive({"DOWN", mref})[5], "normal")
expect.eq(otp.process_info(p, "current_stacktrace"), nil, "dead: nil")

-- the caller itself: its own traceback, without process_info's frame
local function me_now() return otp.process_info(otp.self(), "current_stacktrace") end
local mine = me_now()
expect.truthy(mine:find("in local 'me_now'", 1, true), mine)
expect.falsy(mine:find("[C]", 1, true), "no C frame of process_info: " .. mine)

-- a runnable process that has not run yet: a traceback with no Lua frame
local r = otp.spawn(function() otp.receive() end)
expect.eq(otp.process_info(r, "status"), "runnable")
expect.truthy(otp.process_info(r, "current_stacktrace"):find("^stack traceback:"))

-- a process preempted in a busy loop (runnable): the loop's frame
local busy = otp.spawn(function()
  local function spin() while true do end end
  spin()
end)
expect.eventually(function()
  local t = otp.process_info(busy, "current_stacktrace")
  return t and t:find("in local 'spin'", 1, true) ~= nil
end, 2000, "a preempted process shows where it was")
otp.exit(busy, "kill")

-- left out of process_info(pid), present in the error's list of keys
expect.eq(otp.process_info(r).current_stacktrace, nil)
local ok, err = pcall(otp.process_info, r, "no_such_key")
expect.falsy(ok)
expect.truthy(tostring(err):find("current_stacktrace", 1, true), tostring(err))
otp.exit(r, "kill")
