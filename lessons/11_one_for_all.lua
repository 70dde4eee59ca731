-- Lesson 11: one_for_all
-- one child dies and every sibling is stopped in reverse start order, then all start again in order.
local lesson, expect = otp.lesson, otp.expect
local supervisor = otp.supervisor
lesson.title("one_for_all")

local function worker(name)
  return otp.spawn_link(function()
    otp.set_label(name)
    while true do if otp.receive() == "crash" then error(name .. " crashed") end end
  end)
end
local ids = {"a", "b", "c", "d"}
local children = {}
for _, id in ipairs(ids) do children[#children + 1] = {id = id, start = {worker, id}} end
local sup = assert(supervisor.start_link{strategy = "one_for_all", children = children})

lesson.step("Four workers a, b, c, d under one_for_all", function()
  lesson.tree(sup)
  return {sup = sup}
end)

lesson.step("b crashes: d, c and a are stopped, newest first; then a, b, c, d start (C7)", function()
  local session = otp.trace.start{kinds = {"sup_terminate_child", "sup_start_child", "sup_restart"}}
  local b
  for _, c in ipairs(supervisor.which_children(sup)) do if c.id == "b" then b = c.pid end end
  otp.send(b, "crash")
  expect.events(session, {{kind = "sup_restart", id = "b"}}, 2000)
  session:stop()
  local order = {}
  for _, e in ipairs(session:events()) do
    if e.kind ~= "sup_restart" then order[#order + 1] = (e.kind == "sup_terminate_child" and "stop " or "start ") .. e.id end
  end
  expect.eq(order, {"stop d", "stop c", "stop a", "start a", "start b", "start c", "start d"})
  lesson.say("The supervisor's own events, in order: %s", table.concat(order, ", "))
  lesson.tree(sup)
  lesson.say("Use it when the children cannot work without each other.")
end)

-- The exercise: the learner picks choice.strategy; each check() starts a
-- fresh supervisor of a, b, c with it, crashes b, waits for the supervisor's
-- sup_restart of b in a trace session, and compares a's and c's pids.
local choice = {}
local function siblings_restart_check()
  if choice.strategy == nil then
    return false, "choice.strategy is not set: choice.strategy = \"one_for_one\" | \"one_for_all\" | \"rest_for_one\""
  end
  local trio = {}
  for _, id in ipairs{"a", "b", "c"} do trio[#trio + 1] = {id = id, start = {worker, id}} end
  local ok, trial, err = pcall(supervisor.start_link, {strategy = choice.strategy, children = trio})
  if not ok or not trial then
    return false, "a supervisor with strategy " .. otp.inspect(choice.strategy) .. " does not start: " ..
      otp.inspect(ok and err or trial)
  end
  otp.unlink(trial)
  local before = {}
  for _, c in ipairs(supervisor.which_children(trial)) do before[c.id] = c.pid end
  local session = otp.trace.start{kinds = {"sup_restart"}}
  otp.send(before.b, "crash")
  local restarted = pcall(expect.events, session, {{pid = trial, id = "b"}}, 2000)
  session:stop()
  local after = {}
  for _, c in ipairs(supervisor.which_children(trial)) do after[c.id] = c.pid end
  otp.exit(trial, "shutdown")
  if not restarted then return false, "the supervisor did not restart b within 2 s" end
  local a_kept, c_kept = after.a == before.a, after.c == before.c
  if a_kept and c_kept then
    return false, "b was restarted, but a and c kept their pids: " .. choice.strategy ..
      " restarts only the child that died (C6)"
  elseif a_kept then
    return false, "b and c were restarted, but a kept its pid: " .. choice.strategy ..
      " restarts the dead child and those started after it, never the ones before (C8)"
  elseif c_kept then
    return false, "a was restarted but c kept its pid"
  end
  return true
end
lesson.expose{choice = choice}
lesson.exercise("set choice.strategy so that when b crashes, its siblings a and c are restarted too; " ..
  "check() starts a supervisor of a, b, c with it and crashes b",
  siblings_restart_check,
  function() choice.strategy = "one_for_all" end)

lesson.finish{try = "kill(otp.supervisor.which_children(sup)[1].pid); tree(sup)",
              next = "rest_for_one pipelines"}
