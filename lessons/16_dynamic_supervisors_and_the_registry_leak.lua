-- Lesson 16: Dynamic supervisors and the registry leak
-- children started on demand; a table of pids that nobody monitors keeps the dead for ever.
local lesson, expect = otp.lesson, otp.expect
local dynamic = otp.dynamic_supervisor
lesson.title("Dynamic supervisors and the registry leak")

local function session_worker(user)
  return otp.spawn_link(function() otp.set_label("session " .. user); otp.receive() end)
end
local dsup = assert(dynamic.start_link{max_children = 3})

lesson.step("Start children on demand, up to max_children", function()
  for _, user in ipairs{"ann", "bob", "cy"} do
    assert(dynamic.start_child(dsup, {id = user, restart = "temporary", start = {session_worker, user}}))
  end
  local pid, why = dynamic.start_child(dsup, {id = "dee", restart = "temporary", start = {session_worker, "dee"}})
  expect.eq({pid, why}, {nil, "max_children"})
  expect.eq(dynamic.count_children(dsup).active, 3)
  lesson.say("Three sessions run; the fourth start returned nil, \"max_children\".")
  lesson.tree(dsup)
  return {dsup = dsup, session_worker = session_worker}
end)

-- The exercise: dsup is full; the learner ends cy's session through it
-- and starts dee's.
local function sessions()
  local users = {}
  for _, c in ipairs(dynamic.which_children(dsup)) do
    users[#users + 1] = (otp.process_info(c.pid, "label") or "?"):gsub("^session ", "")
  end
  table.sort(users)
  return users
end
local function room_check()
  local users = sessions()
  if expect.equal(users, {"ann", "bob", "dee"}) then return true end
  return false, "dsup's sessions are " .. otp.inspect(users) .. ", not {\"ann\", \"bob\", \"dee\"}" ..
    (#users >= 3 and ": it is full (max_children = 3), so end cy's first" or "")
end
lesson.expose{dynamic = dynamic}
lesson.exercise("dsup is full (max_children = 3): end cy's session through dsup " ..
  "(dynamic.terminate_child(dsup, pid); dynamic.which_children(dsup) lists the pids), then start dee's",
  room_check,
  function()
    for _, c in ipairs(dynamic.which_children(dsup)) do
      if otp.process_info(c.pid, "label") == "session cy" then assert(dynamic.terminate_child(dsup, c.pid)) end
    end
    assert(dynamic.start_child(dsup, {id = "dee", restart = "temporary", start = {session_worker, "dee"}}))
  end)

-- A hand-made registry: user -> pid, filled at start, never cleaned.
local leaky = {}
for _, c in ipairs(dynamic.which_children(dsup)) do leaky[otp.process_info(c.pid, "label")] = c.pid end

lesson.step("A session ends; the hand-made table still holds its pid", function()
  local bob = leaky["session bob"]
  local ref = otp.monitor(bob)
  otp.exit(bob, "kill")
  expect.receive(otp.match{"DOWN", ref})
  expect.eq(dynamic.count_children(dsup).active, 2)
  expect.truthy(leaky["session bob"])
  expect.falsy(otp.is_alive(leaky["session bob"]))
  lesson.say("The supervisor forgot bob (temporary, not restarted): 2 active children.")
  lesson.say("The table did not: it points at a dead pid, and grows with every session.")
end)

lesson.step("The fix: a registry that monitors what it records", function()
  local registry = otp.spawn(function()
    local names = {}
    while true do
      local m = otp.receive()
      if m[1] == "add" then names[m[2]] = m[3]; otp.monitor(m[3])
      elseif m[1] == "DOWN" then for k, v in pairs(names) do if v == m[4] then names[k] = nil end end
      elseif m[1] == "list" then local n = 0; for _ in pairs(names) do n = n + 1 end; otp.send(m[2], {"count", n}) end
    end
  end)
  for label, pid in pairs(leaky) do if otp.is_alive(pid) then otp.send(registry, {"add", label, pid}) end end
  local ann = leaky["session ann"]
  otp.exit(ann, "kill")
  expect.eventually(function()
    otp.send(registry, {"list", otp.self()})
    return expect.receive(otp.match{"count"})[2] == 1
  end)
  lesson.say("ann died and the registry's monitor removed her: one entry left.")
  local named = otp.spawn_opt(otp.receive, {name = "session_eve"})
  local ref = otp.monitor(named)
  otp.exit(named, "kill")
  expect.receive(otp.match{"DOWN", ref})
  expect.eq(otp.whereis("session_eve"), nil)
  lesson.say("otp.register does this for you: a name is freed when its process exits (A12);")
  lesson.say("once session_eve was dead, whereis(\"session_eve\") returned nil.")
end)

lesson.finish{try = "for i = 1, 3 do pp({dynamic.start_child(dsup, {start = {session_worker, \"x\" .. i}})}) end",
              next = "Nested trees and escalation"}
