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
  expect.eventually(function()
    for _, e in ipairs(session:events()) do if e.kind == "sup_restart" and e.id == "b" then return true end end
  end, 2000)
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

lesson.finish{try = "otp.exit(otp.supervisor.which_children(sup)[1].pid, \"kill\"); tree(sup)",
              next = "rest_for_one pipelines"}
