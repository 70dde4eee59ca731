-- Lesson 8: one_for_one
-- a supervisor restarts only the child that died; its siblings keep their pids.
local lesson, expect = otp.lesson, otp.expect
local supervisor = otp.supervisor
lesson.title("one_for_one")

local function worker(name)
  return otp.spawn_link(function()
    otp.set_label(name)
    while true do if otp.receive() == "crash" then error(name .. " was asked to crash") end end
  end)
end

local function pid_of(sup, id)
  for _, c in ipairs(supervisor.which_children(sup)) do if c.id == id then return c.pid end end
end

local sup = assert(supervisor.start_link{strategy = "one_for_one", children = {
  {id = "a", start = {worker, "a"}}, {id = "b", start = {worker, "b"}}, {id = "c", start = {worker, "c"}}}})

lesson.step("Three workers, started in order a, b, c", function()
  lesson.tree(sup)
  return {sup = sup}
end)

lesson.step("b crashes: only b is restarted (C6)", function()
  local a, b, c = pid_of(sup, "a"), pid_of(sup, "b"), pid_of(sup, "c")
  otp.send(b, "crash")
  local b2 = expect.restarted(sup, "b", b)
  expect.eq({pid_of(sup, "a"), pid_of(sup, "c")}, {a, c})
  lesson.say("b: %s -> %s; a and c kept their pids.", tostring(b), tostring(b2))
  lesson.tree(sup)
end)

local function logger_check()
  local p = pid_of(sup, "logger")
  if p == nil then return false, "sup has no child with id \"logger\" (which_children lists: " ..
    otp.inspect((function() local ids = {} for _, c in ipairs(supervisor.which_children(sup)) do ids[#ids + 1] = c.id end return ids end)()) .. ")" end
  if type(p) == "string" or not otp.is_alive(p) then return false, "logger is not running: " .. tostring(p) end
  return true
end
lesson.expose{supervisor = supervisor, worker = worker}
lesson.exercise("add a fourth worker with id \"logger\" to sup: supervisor.start_child(sup, {id = ..., start = ...})",
  logger_check,
  function() assert(supervisor.start_child(sup, {id = "logger", start = {worker, "logger"}})) end)

lesson.step("The new child is supervised like the others", function()
  lesson.tree(sup)
  local l = pid_of(sup, "logger")
  otp.exit(l, "kill")
  expect.restarted(sup, "logger", l)
  lesson.say("Killed, logger came back; which_children lists the newest first (C4).")
  expect.eq(supervisor.which_children(sup)[1].id, "logger")
end)

lesson.finish{try = "kill(otp.supervisor.which_children(sup)[2].pid); tree(sup)",
              next = "permanent, transient, temporary"}
