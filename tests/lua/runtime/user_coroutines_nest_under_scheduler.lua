-- Proves: a process can use coroutine.* itself (DESIGN.md "Nested
-- coroutines"). Generators work and values pass both ways; an otp.receive,
-- otp.sleep or a preempted busy loop INSIDE a user coroutine reaches the
-- scheduler (other processes run) and never makes the user's resume return
-- early; errors inside coroutines stay in the coroutine; and
-- coroutine.yield at a process's top level raises an error.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local me = otp.self()

-- 1. Ordinary coroutine use.
do
  local gen = coroutine.wrap(function()
    for i = 1, 5 do coroutine.yield(i) end
    return "end"
  end)
  local got = {}
  for _ = 1, 6 do got[#got + 1] = gen() end
  check(table.concat(got, ",") == "1,2,3,4,5,end", "generator produced " .. table.concat(got, ","))

  local co = coroutine.create(function(a, b)
    check(coroutine.isyieldable(), "isyieldable() is false inside a user coroutine")
    local running, ismain = coroutine.running()
    check(type(running) == "thread" and ismain == false, "coroutine.running() inside a user coroutine is wrong")
    local c = coroutine.yield(a + b)
    local d, e = coroutine.yield(c * 10)
    return d .. e
  end)
  local ok1, v1 = coroutine.resume(co, 1, 2)
  check(ok1 and v1 == 3, "first resume returned " .. tostring(ok1) .. ", " .. tostring(v1))
  check(coroutine.status(co) == "suspended", "status after yield is " .. coroutine.status(co))
  local ok2, v2 = coroutine.resume(co, 4)
  check(ok2 and v2 == 40, "second resume returned " .. tostring(ok2) .. ", " .. tostring(v2))
  local ok3, v3 = coroutine.resume(co, "x", "y")
  check(ok3 and v3 == "xy", "last resume returned " .. tostring(ok3) .. ", " .. tostring(v3))
  check(coroutine.status(co) == "dead", "status after return is " .. coroutine.status(co))
  local ok4, e4 = coroutine.resume(co)
  check(ok4 == false and tostring(e4):find("dead"), "resuming a dead coroutine: " .. tostring(e4))

  -- Errors inside a coroutine stay in the coroutine.
  local bad = coroutine.create(function() error({ code = 7 }) end)
  local okb, eb = coroutine.resume(bad)
  check(okb == false and type(eb) == "table" and eb.code == 7, "an error in a coroutine did not come back from resume")
  local wrapped = coroutine.wrap(function() error("wrapped boom") end)
  local okw, ew = pcall(wrapped)
  check(okw == false and tostring(ew):find("wrapped boom"), "an error in a wrap()ed coroutine did not propagate")
  local closeable = coroutine.create(function() coroutine.yield() end)
  coroutine.resume(closeable)
  check(coroutine.close(closeable) == true and coroutine.status(closeable) == "dead", "coroutine.close failed")
end

-- 2. otp.receive inside a user coroutine waits in the scheduler: the message
--    is sent by another process only after the coroutine is already waiting.
do
  local helper = otp.spawn(function(parent)
    otp.receive(function(m) return m == "go" end, 5000)
    otp.send(parent, { tag = "late", v = 42 })
  end, me)
  local co = coroutine.create(function(x)
    local m = otp.receive(function(m) return type(m) == "table" and m.tag == "late" end, 3000)
    local back = coroutine.yield(m and m.v)
    return back + x
  end)
  otp.send(helper, "go")     -- the helper runs only once this process waits
  local ok, v = coroutine.resume(co, 1)
  check(ok == true and v == 42, "resume around a receive returned early or wrong: " .. tostring(ok) .. ", " .. tostring(v))
  local ok2, v2 = coroutine.resume(co, 100)
  check(ok2 == true and v2 == 101, "second resume after the receive returned " .. tostring(ok2) .. ", " .. tostring(v2))
end

-- Two levels deep, with wrap, and a receive that times out.
do
  local helper = otp.spawn(function(parent)
    otp.receive(function(m) return m == "go" end, 5000)
    otp.send(parent, "deep")
  end, me)
  local outer = coroutine.wrap(function()
    local inner = coroutine.wrap(function()
      local none, why = otp.receive(function(m) return m == "never sent" end, 20)
      coroutine.yield(why)
      return otp.receive(function(m) return m == "deep" end, 3000)
    end)
    local first = inner()
    coroutine.yield(first)
    return inner()
  end)
  check(outer() == "timeout", "a receive timeout inside nested coroutines did not return nil, 'timeout'")
  otp.send(helper, "go")
  check(outer() == "deep", "a receive two coroutines deep did not get the message")
end

-- otp.sleep inside a user coroutine.
do
  local co = coroutine.wrap(function() otp.sleep(5) return "slept" end)
  check(co() == "slept", "otp.sleep inside a coroutine made resume return early")
end

-- 3. A busy loop inside a user coroutine is preempted to the scheduler, not
--    to the user's resume: another process gets to run while it spins.
do
  otp.spawn(function(parent) otp.send(parent, "ran") end, me)
  local co = coroutine.create(function()
    local t0 = otp.monotonic_time()
    local spins = 0
    while otp.process_info(me, "message_queue_len") == 0 and otp.monotonic_time() - t0 < 3000 do
      spins = spins + 1
    end
    return "spun", otp.process_info(me, "message_queue_len"), spins
  end)
  local ok, tag, qlen = coroutine.resume(co)
  check(ok == true and tag == "spun", "a preemption inside a coroutine made resume return early: "
    .. tostring(ok) .. ", " .. tostring(tag))
  check(type(qlen) == "number" and qlen > 0, "no other process ran while a coroutine spun for 3 s")
  check(otp.receive(function(m) return m == "ran" end, 2000) == "ran", "the other process's message is missing")
end

-- 4. coroutine.yield at a process's top level is an error.
do
  check(not coroutine.isyieldable(), "isyieldable() is true at a process's top level")
  local top, ismain = coroutine.running()
  check(type(top) == "thread" and ismain == true, "coroutine.running() at the top level does not look like the main thread")
  -- The process's own thread cannot be resumed from a nested coroutine.
  local sneaky = coroutine.create(function() return coroutine.resume(top) end)
  local ok_s, ok_inner = coroutine.resume(sneaky)
  check(not (ok_s and ok_inner), "a nested coroutine could resume the process's own thread")
  check(coroutine.status(top) == "running", "the process's thread is not running after the attempt")
  local ok, err = pcall(coroutine.yield, "x")
  check(ok == false, "coroutine.yield at the top level of the first process did not raise")
  local pid, ref = otp.spawn_monitor(function() coroutine.yield("escape") end)
  local down = otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, 2000)
  assert(down, "no DOWN from a process that yields at its top level")
  check(type(down[5]) == "table" and down[5][1] == "error",
    "a top-level coroutine.yield should end the process with {'error', ...}, got " .. tostring(down[5]))
end

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
