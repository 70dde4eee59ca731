-- Lesson 4: Trapping exits and the signal table
-- normal is ignored, kill is untrappable and arrives as killed, the rest kill or become messages.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Trapping exits and the signal table")
local me = otp.self()

-- A target reports the first message it gets; a probe sent right after the
-- signal shows it survived (signals and messages from one sender stay in order).
local function target(trap, parent)
  otp.trap_exit(trap)
  otp.send(parent, "ready")
  otp.send(parent, {"got", otp.receive()})
  otp.receive()
end

local function outcome(trap, reason)
  local pid, ref = otp.spawn_monitor(target, trap, me)
  expect.receive("ready")
  otp.exit(pid, reason)
  otp.send(pid, "probe")
  local m = expect.receive(otp.match({"got"}, {"DOWN", ref}))
  if m[1] == "DOWN" then return "dies: " .. otp.inspect(m[5]) end
  otp.exit(pid, "kill")
  expect.receive(otp.match{"DOWN", ref})     -- leave no DOWN behind
  if m[2] == "probe" then return "ignored, lives on" end
  return "gets message " .. otp.inspect(m[2]):gsub("<[%d.]+[^>]*>", "me")
end

local expected = {
  {"normal", false, "ignored, lives on"},                      -- A1
  {"normal", true,  "gets message {\"EXIT\", me, \"normal\"}"}, -- A1
  {"bye",    false, "dies: \"bye\""},                           -- A3
  {"bye",    true,  "gets message {\"EXIT\", me, \"bye\"}"},    -- A3
  {"kill",   false, "dies: \"killed\""},                        -- A2
  {"kill",   true,  "dies: \"killed\""},                        -- A2
}

lesson.step("otp.exit(pid, reason) against a process that traps exits or not", function()
  lesson.say("   %-8s %-9s %s", "reason", "trapping", "what happens")
  for _, row in ipairs(expected) do
    local got = outcome(row[2], row[1])
    expect.eq(got, row[3], "signal " .. row[1] .. (row[2] and " to a trapping process" or ""))
    lesson.say("   %-8s %-9s %s", row[1], tostring(row[2]), got)
  end
  lesson.say("kill cannot be trapped; watchers see \"killed\", so a kill does not spread as kill:")
  otp.trap_exit(true)
  local victim = otp.spawn_link(otp.receive)
  otp.exit(victim, "kill")
  local m = expect.receive(otp.match{"EXIT", victim})
  expect.eq(m[3], "killed")
  lesson.say("   I trap exits and was linked to a killed process: I got %s and live on.",
             (otp.inspect(m):gsub("<[%d.]+[^>]*>", "victim")))
  otp.trap_exit(false)
end)

lesson.step("exit(\"kill\") by a process itself is an ordinary reason (A6)", function()
  otp.trap_exit(true)
  local p = otp.spawn_link(function() otp.exit("kill") end)
  local m = expect.receive(otp.match{"EXIT", p})
  expect.eq(m[3], "kill")
  lesson.show(m)
  lesson.say("Only otp.exit(pid, \"kill\") from outside is untrappable; this one was trapped.")
  otp.trap_exit(false)
end)

-- The exercise: stubborn traps exits and shrugs off every signal but one.
-- check() reads its fate from the exercise's trace (exit events), or asks
-- it what it got instead.
local stubborn = otp.spawn(function()
  otp.set_label("stubborn")
  otp.trap_exit(true)
  local got = {}
  while true do
    local m = otp.receive()
    if type(m) == "table" and m[1] == "$what" then otp.send(m[2], {"$got", got})
    else got[#got + 1] = m end
  end
end)
local function stubborn_check(session)
  local ref = otp.monitor(stubborn)             -- a dead stubborn answers with its DOWN
  otp.send(stubborn, {"$what", otp.self()})
  local m = otp.receive(otp.match({"$got"}, {"DOWN", ref}), 2000)
  otp.demonitor(ref, {flush = true})
  if m and m[1] == "DOWN" then
    local reason = m[5]
    for _, e in ipairs(session:events()) do    -- a DOWN after the death says noproc
      if e.kind == "exit" and e.pid == stubborn then reason = e.reason end
    end
    if reason == "killed" then return true end
    return false, "stubborn ended with " .. otp.inspect(reason) .. ", not \"killed\""
  end
  local text = m and otp.inspect(m[2]):gsub("<[%d.]+[^>]*>", "you") or "nothing it could tell"
  return false, "stubborn is alive: it traps exits, so the signals sent to it became messages " ..
    "(it has received " .. text .. "); one reason cannot be trapped"
end
lesson.expose{stubborn = stubborn}
lesson.exercise("stubborn traps exits: make it die anyway, with the exit reason \"killed\" (otp.exit(stubborn, ...))",
  stubborn_check,
  function()
    local ref = otp.monitor(stubborn)
    otp.exit(stubborn, "kill")
    otp.receive(otp.match{"DOWN", ref})
  end)

lesson.finish{try = "otp.trap_exit(true); p = otp.spawn_link(function() error(\"x\") end); pp(otp.receive({\"EXIT\", p}))",
              next = "Monitors versus links"}
