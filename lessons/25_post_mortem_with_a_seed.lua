-- Lesson 25: Post-mortem with a seed
-- hunt a race that shows once in a hundred runs with otplab explore, replay it from its seed, prove the fix.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Post-mortem with a seed")

-- LYSE's restarter race: two clients each start the server unless whereis
-- finds it. Both can see no server; the second register then fails (A12).
local racy = [[
local function server()
  while true do otp.send(otp.receive(), "pong") end
end
local function ensure_server()
  local pid = otp.whereis("server")
  if not pid then
    pid = otp.spawn(server)
    otp.register("server", pid)   -- someone may have registered since the check
  end
  return pid
end
local function client()
  otp.send(ensure_server(), otp.self())
  otp.receive("pong")
end
local _, r1 = otp.spawn_monitor(client)
local _, r2 = otp.spawn_monitor(client)
for _, ref in ipairs{r1, r2} do
  otp.expect.eq(otp.receive(otp.match{"DOWN", ref})[5], "normal", "a client ended normally")
end
print("both clients were served")
]]

-- The fix: register is itself the check (it fails when the name is taken),
-- so whoever loses uses the winner's server and stops its own.
local fixed = racy:gsub([[
    pid = otp.spawn%(server%)
    otp.register%("server", pid%)   %-%- someone may have registered since the check
]], [[
    pid = otp.spawn(server)
    if not pcall(otp.register, "server", pid) then
      otp.exit(pid, "kill")
      pid = otp.whereis("server")
    end
]])
assert(fixed ~= racy, "the lesson's fix applies to its race")

local function write(text)
  local path = os.tmpname()
  local f = assert(io.open(path, "w")); f:write(text); f:close()
  return path
end
local racy_path, fixed_path = write(racy), write(fixed)

-- this very otplab (the parent of popen's shell), run again on a file
local function otplab(args)
  local p = assert(io.popen('"$(readlink /proc/$PPID/exe)" ' .. args .. " 2>&1"))
  local out = p:read("a")
  local _, _, status = p:close()
  return out, status
end

lesson.step("A plain run passes: the race hides", function()
  local out, status = otplab("run --reductions 2000 " .. racy_path)
  expect.eq(status, 0, "one run of the racy file passed: " .. out)
  lesson.say("   otplab run --reductions 2000 racy.lua -> %s", (out:gsub("\n", "")))
  lesson.say("Most schedules (this one, fixed by --reductions, among them) run one client")
  lesson.say("to its register before the other looks: the bug is there, the test is green.")
end)

local seed
lesson.step("otplab explore hunts for the schedule that breaks it", function()
  local out, status = otplab("explore " .. racy_path .. " --seed 1")
  expect.eq(status, 1, "explore found a failing run")
  seed = out:match("failing seed: (%d+)")
  expect.truthy(seed, "explore named the failing seed: " .. out)
  expect.truthy(out:find("already registered", 1, true), "the failure is the register race (A12)")
  lesson.say("   %s", out:match("failing seed: [^\n]*"))
  lesson.say("   %s", out:match("[^\n]*already registered[^\n]*"))
  lesson.say("explore re-ran the file under virtual time with seeded schedules (slice")
  lesson.say("lengths, which runnable process goes next) until one failed; --seed 1 only")
  lesson.say("fixes where the hunt starts, so this lesson finds the same run every time.")
end)

lesson.step("The seed replays that very schedule, as often as you like", function()
  local first, s1 = otplab("explore " .. racy_path .. " --seed " .. seed .. " --runs 1")
  local second, s2 = otplab("explore " .. racy_path .. " --seed " .. seed .. " --runs 1")
  expect.eq({s1, s2}, {1, 1}, "the replay fails both times")
  expect.eq(second, first, "two replays print the same bytes")
  lesson.say("   otplab explore racy.lua --seed %s --runs 1   (twice: the same %d bytes)",
             seed, #first)
  lesson.say("A failure that showed once is now one command away: add prints, trace it,")
  lesson.say("read the events that led to it, as often as it takes.")
end)

lesson.step("The fix passes every explored schedule", function()
  local out, status = otplab("explore " .. fixed_path .. " --seed 1 --runs 100")
  expect.eq(status, 0, "no explored run of the fix fails: " .. out)
  expect.truthy(out:find("100 runs, no failure", 1, true), out)
  lesson.say("   %s", (out:gsub("\n", "")))
  lesson.say("register is atomic: let it be the check. A fix is proven when the same")
  lesson.say("hunt that found the bug finds nothing.")
  os.remove(racy_path)
  os.remove(fixed_path)
end)

-- The exercise: the losing half of the race, by hand. "server" is taken by
-- `winner`; `loser` was spawned to be the server too. Do what the fix does.
local function serve() while true do otp.send(otp.receive(), "pong") end end
local winner = otp.spawn(serve)
otp.register("server", winner)
local loser = otp.spawn(serve)
local function loser_check()
  if otp.whereis("server") ~= winner then
    return false, "\"server\" is no longer winner " .. tostring(winner) .. " (it is " ..
      tostring(otp.whereis("server")) .. "): the process that registered first keeps the name"
  end
  if otp.is_alive(loser) then
    return false, "loser " .. tostring(loser) .. " still runs: register failed for it, so it is " ..
      "a server nobody can find; stop it (otp.exit(loser, \"kill\"))"
  end
  return true
end
lesson.expose{winner = winner, loser = loser}
lesson.exercise("loser was spawned to be \"server\", but winner registered first: do what the fix " ..
  "does, try pcall(otp.register, \"server\", loser) and, when it fails, stop loser so that only " ..
  "winner serves",
  loser_check,
  function()
    if not pcall(otp.register, "server", loser) then otp.exit(loser, "kill") end
  end)
otp.exit(winner, "kill")

lesson.finish{try = "pp(math.random(1000))  -- in a console started with --seed 7, the same number every time",
              shell = "otplab explore your_scenario.lua, then otplab explore your_scenario.lua --seed S --runs 1",
              next = "Nodes, links across nodes, a partition"}
