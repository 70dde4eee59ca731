-- Lesson 3: Links and the chain of death
-- a link ties two lives together: LYSE's chain(N) dies from one end to the other.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Links and the chain of death")
local me = otp.self()

-- chain(n): a process that links to the next one; the last waits for "die".
local function chain(n, reporter)
  otp.set_label("chain " .. n)
  otp.send(reporter, {"in_chain", n, otp.self()})
  if n == 0 then
    otp.receive("die")
    otp.exit("chain dies here")
  end
  otp.spawn_link(chain, n - 1, reporter)
  otp.receive()                       -- only an exit signal ends this
end

local N = 5
local pids = {}
lesson.step("Build a chain of " .. N + 1 .. " linked processes", function()
  otp.spawn(chain, N, me)
  for _ = 0, N do
    local m = expect.receive(otp.match{"in_chain"})
    pids[m[2]] = m[3]
  end
  lesson.say("chain %d links to chain %d, ... down to chain 0, which waits for \"die\".", N, N - 1)
  return {pids = pids}
end)

lesson.step("The last one exits: every link passes its reason on (A5)", function()
  local refs = {}
  for n = 0, N do refs[n] = otp.monitor(pids[n]) end
  otp.send(pids[0], "die")
  for n = 0, N do
    local down = expect.receive(otp.match{"DOWN", refs[n]})
    expect.eq(down[5], "chain dies here")
    lesson.say("   chain %d died with %s", n, otp.inspect(down[5]))
  end
  lesson.say("None of them trapped exits, so each died of its neighbour's reason.")
end)

lesson.step("Links go both ways, and unlink cuts them (A8)", function()
  -- the chain died from the linked-to end up; now the other way: the
  -- process that made the link dies, and the one it linked to goes too
  local maker = otp.spawn(function(parent)
    otp.send(parent, {"made", otp.spawn_link(otp.receive)})
    otp.receive()
  end, me)
  local linked = expect.receive(otp.match{"made"})[2]
  local ref = otp.monitor(linked)
  otp.exit(maker, "oops")
  expect.eq(expect.receive(otp.match{"DOWN", ref})[5], "oops")
  lesson.say("A process that called spawn_link died of \"oops\"; the one it linked to died of it too.")
  otp.trap_exit(true)                 -- so that a link's signal becomes a message for me
  local a = otp.spawn_link(function() otp.receive() ; otp.exit("bye") end)
  otp.unlink(a)
  otp.send(a, "go")
  local ref = otp.monitor(a)
  expect.receive(otp.match{"DOWN", ref})
  expect.no_message(otp.match{"EXIT", a}, 0)
  lesson.say("After unlink, a's death sent me nothing: no EXIT in my mailbox.")
  otp.trap_exit(false)
end)

-- The exercise: the learner writes the body of a process that a dying
-- process links to; check() runs it and watches whether it outlives that
-- death (it must trap exits, lesson 4 tells the whole table).
local guard = {}
local function survives_check()
  if type(guard.fn) ~= "function" then
    return false, "guard.fn is not a function yet: guard.fn = function() ... end"
  end
  local g, gref = otp.spawn_monitor(guard.fn)
  local waiting = pcall(expect.eventually, function()
    return otp.process_info(g, "status") == "waiting" end, 2000)
  if not waiting then
    otp.exit(g, "kill")
    return false, "a process running guard.fn did not wait in otp.receive(): it must stay alive to be linked to"
  end
  local doomed = otp.spawn(function(target) otp.link(target); otp.exit("boom") end, g)
  local ok, seen = pcall(expect.eventually, function()
    local down = otp.receive(otp.match{"DOWN", gref}, 0)
    if down then return {"died", down[5]} end
    for _, m in ipairs(otp.process_info(g, "messages") or {}) do
      if type(m) == "table" and m[1] == "EXIT" and m[2] == doomed then return {"trapped", m} end
    end
  end, 2000)
  if not ok then
    otp.exit(g, "kill")
    return false, "guard.fn's process neither died nor got an EXIT message within 2 s"
  end
  if seen[1] == "died" and seen[2] == "normal" then
    return true            -- it took {"EXIT", doomed, "boom"} as a message, then returned
  elseif seen[1] == "died" then
    return false, "a process linked to guard.fn's process died of \"boom\", and so did it (reason " ..
      otp.inspect(seen[2]) .. "): a link passes the reason on unless the receiver traps exits"
  end
  otp.exit(g, "kill")
  otp.demonitor(gref, {flush = true})
  return true
end
lesson.expose{guard = guard}
lesson.exercise("write guard.fn, the body of a process that outlives a linked process dying of \"boom\": " ..
  "guard.fn = function() ... otp.receive() end; check() links a doomed process to it",
  survives_check,
  function() guard.fn = function() otp.trap_exit(true); otp.receive(otp.match{"never"}) end end)

lesson.finish{try = "a = otp.spawn(function() otp.receive() end); otp.link(a); otp.exit(a, \"oops\") -- and the shell?",
              next = "Trapping exits and the signal table"}
