-- Lesson 6: Names after a restart
-- a restarted server is a new pid: a stale pid loses messages, the name finds the new one.
local lesson, expect = otp.lesson, otp.expect
local gen_server, supervisor = otp.gen_server, otp.supervisor
lesson.title("Names after a restart")

local counter = {}
function counter.init() return "ok", 0 end
function counter.handle_call(_, _, n) return "reply", n + 1, n + 1 end
function counter.handle_info(msg, n) if msg == "bump" then n = n + 1 end; return "noreply", n end

local sup = assert(supervisor.start_link{strategy = "one_for_one", intensity = 10, children = {
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
  local new = expect.restarted(sup, "counter", old)
  expect.eventually(function() return otp.whereis("counter") == new end)
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

-- The exercise: a child whose every incarnation takes the name "tally";
-- check() kills it and asks the name for the new one.
local function child_pid(id)
  for _, c in ipairs(supervisor.which_children(sup)) do if c.id == id then return c.pid end end
end
local function named_check()
  local p = child_pid("tally")
  if p == nil then
    return false, "sup has no child with id \"tally\": supervisor.start_child(sup, {id = \"tally\", start = {...}})"
  end
  if type(p) == "string" then return false, "child tally is not running (" .. p .. ")" end
  if otp.whereis("tally") ~= p then
    return false, "child tally runs " .. tostring(p) .. " but whereis(\"tally\") is " ..
      otp.inspect(otp.whereis("tally")) .. ": its start function must register it (gen_server's name option)"
  end
  otp.exit(p, "kill")
  local ok, new = pcall(expect.restarted, sup, "tally", p, 2000)
  if not ok then return false, "sup did not restart tally within 2 s of a kill" end
  local found = pcall(expect.eventually, function() return otp.whereis("tally") == new end, 2000)
  if not found then
    return false, "after a restart tally runs " .. tostring(new) .. " but whereis(\"tally\") is " ..
      otp.inspect(otp.whereis("tally")) .. ": the name must be taken at every start, not once by hand"
  end
  return true
end
lesson.expose{counter = counter, gen_server = gen_server}
lesson.exercise("add a child with id \"tally\" to sup (a counter module is in `counter`) whose process " ..
  "is called \"tally\" after every restart; check() kills it and looks the name up",
  named_check,
  function()
    assert(supervisor.start_child(sup, {id = "tally", start = {function()
      return gen_server.start_link(counter, nil, {name = "tally"}) end}}))
  end)

lesson.finish{try = "kill(\"counter\"); pp(otp.whereis(\"counter\")); tree(sup)",
              next = "A hand-written restarter"}
