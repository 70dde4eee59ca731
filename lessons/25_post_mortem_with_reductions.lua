-- Lesson 25: Post-mortem with --reductions
-- re-run a race exactly: with --reductions N the scheduler interleaves processes the same way every run.
local lesson, expect = otp.lesson, otp.expect
lesson.title("Post-mortem with --reductions")

-- A race: two busy processes each count, then try to take the name "winner".
local race = [[
local me = otp.self()
local racers = {}
for i = 1, 3 do
  racers[i] = otp.spawn(function(n)
    local x = 0
    for k = 1, 20000 * n do x = x + k % 7 end        -- work of different lengths
    local ok = pcall(otp.register, "winner", otp.self())
    otp.send(me, {n, ok, x})
    otp.receive()
  end, 4 - i)
end
local order = {}
for _ = 1, 3 do
  local m = otp.receive()
  order[#order + 1] = m[1] .. (m[2] and " won" or " lost")
end
print(table.concat(order, ", "), otp.statistics("context_switches"))
]]

local path = os.tmpname()
local f = assert(io.open(path, "w")); f:write(race); f:close()
-- this very otplab (the parent of popen's shell), run again on the race
local function run(opts)
  local p = assert(io.popen('"$(readlink /proc/$PPID/exe)" run ' .. opts .. " " .. path .. " 2>&1"))
  local out = p:read("a"); p:close()
  return out
end

lesson.step("Run the race twice with --reductions 200", function()
  local first, second = run("--reductions 200"), run("--reductions 200")
  expect.truthy(first:match("won"), "the race printed its result: " .. first)
  expect.eq(second, first)
  lesson.say("   run 1: %s   run 2: %s", first:gsub("\n", ""), second:gsub("\n", ""))
  lesson.say("The same winner, the same order, the same number of context switches:")
  lesson.say("a failure seen once under --reductions can be replayed and studied at leisure.")
end)

lesson.step("Without it, the interleaving follows the clock", function()
  local out = run("")
  expect.truthy(out:match("won"), "the race ran: " .. out)
  lesson.say("   %s", out:gsub("\n", ""))
  lesson.say("Without --reductions a process is preempted after a slice of time (1 ms by default),")
  lesson.say("so this order can change with the machine's load; when a test fails only")
  lesson.say("sometimes, re-run it with --reductions.")
  os.remove(path)
end)

lesson.finish{try = "n = otp.statistics(\"context_switches\"); otp.spawn(function() for i = 1, 1e7 do end end); otp.sleep(200); pp(otp.statistics(\"context_switches\") - n)",
              shell = "otplab run --reductions 50 your_scenario.lua, twice, and compare"}
