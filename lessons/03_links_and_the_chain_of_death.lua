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

lesson.finish{try = "a = otp.spawn(function() otp.receive() end); otp.link(a); otp.exit(a, \"oops\") -- and the shell?",
              next = "Trapping exits and the signal table"}
