-- Lesson 1: processes, links, monitors and a crash.
-- Run it with `make run` or `build/otplab run lessons/01_processes.lua`.

local function say(fmt, ...) print(string.format(fmt, ...)) end
local function show(v)                      -- a message, written as Lua
  if type(v) ~= "table" then return type(v) == "string" and string.format("%q", v) or tostring(v) end
  local parts = {}
  for _, x in ipairs(v) do parts[#parts + 1] = show(x) end
  return "{" .. table.concat(parts, ", ") .. "}"
end

otp.log_level("none")   -- the lesson reports crashes itself
say("I am the first process, %s. Every process has a pid and a mailbox.", tostring(otp.self()))

-- 1. Spawn a process and talk to it.
local me = otp.self()
local echo = otp.spawn(function()
  otp.set_label("echo")
  while true do
    local msg = otp.receive()
    if msg[1] == "stop" then return end
    otp.send(msg[2], {"echoed", msg[3]})
  end
end)
otp.send(echo, {"say", me, "hello"})
say("\n1. I spawned %s (label 'echo') and sent it {\"say\", me, \"hello\"}.", tostring(echo))
say("   It answered: %s", show(otp.receive()))

-- 2. A monitor tells us when a process dies, and why.
local ref = otp.monitor(echo)
otp.send(echo, {"stop"})
local down = otp.receive(otp.match{"DOWN", ref})
say("\n2. I monitored it and asked it to stop. The monitor delivered:\n   %s", show(down))
say("   Its exit reason is %q: returning from its function is a normal exit.", down[5])

-- 3. A crash travels along links: a worker linked to a helper dies with it.
local worker = otp.spawn(function()
  otp.spawn_link(function()
    otp.set_label("helper")
    otp.receive(nil, 10)
    error("the helper divided by zero")
  end)
  otp.receive()                -- wait forever; only an exit signal ends this
end)
local wref = otp.monitor(worker)
local wdown = otp.receive(otp.match{"DOWN", wref})
say("\n3. A worker spawn_link'ed a helper that crashed after 10 ms.")
say("   The link killed the worker too, with the helper's reason:\n   {\"error\", %q, <traceback>}", wdown[5][2])

-- 4. Trapping exits turns the exit signal into a message.
otp.trap_exit(true)
local doomed = otp.spawn_link(function() otp.exit("out of coffee") end)
local exit_msg = otp.receive(otp.match{"EXIT", doomed})
say("\n4. I trap exits and linked to a process that called otp.exit(\"out of coffee\").")
say("   Instead of dying I received: %s", show(exit_msg))

-- 5. kill cannot be trapped, and is reported as killed.
local stubborn = otp.spawn(function() otp.trap_exit(true); otp.receive() end)
local sref = otp.monitor(stubborn)
otp.exit(stubborn, "kill")
say("\n5. A process that traps exits still dies from otp.exit(pid, \"kill\"):")
say("   %s", show(otp.receive(otp.match{"DOWN", sref})))

say("\nThat is the whole model: processes share nothing, talk by messages, and")
say("links and monitors tell you when and why one of them died.")
