-- Lesson 6: Names after a restart
-- a restarted server is a new pid: a stale pid loses messages, the name finds the new one.
local lesson, expect = otp.lesson, otp.expect
local gen_server, supervisor = otp.gen_server, otp.supervisor
lesson.title("Names after a restart")

local counter = {}
function counter.init() return "ok", 0 end
function counter.handle_call(_, _, n) return "reply", n + 1, n + 1 end
function counter.handle_info(msg, n) if msg == "bump" then n = n + 1 end; return "noreply", n end

local sup = assert(supervisor.start_link{strategy = "one_for_one", children = {
  {id = "counter", start = {function() return gen_server.start_link(counter, nil, {name = "counter"}) end}}}})

local old
lesson.step("A supervised, registered counter", function()
  old = otp.whereis("counter")
  expect.eq(gen_server.call("counter", "next"), 1)
  lesson.tree(sup)
  return {sup = sup, old = old}
end)

lesson.step("Kill it; the supervisor starts a new one under the same name", function()
  local ref = otp.monitor(old)
  otp.exit(old, "kill")
  expect.receive(otp.match{"DOWN", ref})
  local now = otp.whereis("counter")
  expect.truthy(now == nil or now ~= old, "the name never points at the dead pid (A12)")
  lesson.say("Right after the death, whereis(\"counter\") gave %s: the name is freed at death,",
             otp.inspect(now))
  lesson.say("and taken again only when the new one registers. Code that looks a name up")
  lesson.say("and then uses the pid can fall into that gap: the whereis race.")
  local new = expect.eventually(function()
    local p = otp.whereis("counter"); return p ~= old and p end)
  lesson.say("Soon the name points at the new process %s:", tostring(new))
  lesson.tree(sup)
end)

lesson.step("The old pid is a dead letter; the name reaches the new state", function()
  otp.send(old, "bump")                          -- succeeds, and nobody gets it
  expect.eq(gen_server.call("counter", "next"), 1)
  lesson.say("otp.send(old, \"bump\") did not fail, but the bump was lost: the new counter")
  lesson.say("started from 0, and next -> 1. Keep names, not pids, of restartable processes.")
  expect.error(function() otp.send("no_such_name", "hi") end, "badarg")
  lesson.say("A name nobody holds is different: sending to it raises badarg (A12).")
end)

lesson.finish{try = "otp.exit(otp.whereis(\"counter\"), \"kill\"); otp.whereis(\"counter\"); tree(sup)",
              next = "A hand-written restarter"}
