-- Lesson 12: rest_for_one pipelines
-- a stage that dies takes down the stages started after it, never those before.
local lesson, expect = otp.lesson, otp.expect
local supervisor = otp.supervisor
lesson.title("rest_for_one pipelines")

local function stage(name)
  return otp.spawn_link(function()
    otp.set_label(name)
    otp.register(name, otp.self())
    otp.receive()
  end)
end
local sup = assert(supervisor.start_link{strategy = "rest_for_one", children = {
  {id = "producer", start = {stage, "producer"}},
  {id = "transformer", start = {stage, "transformer"}},
  {id = "consumer", start = {stage, "consumer"}}}})

lesson.step("producer -> transformer -> consumer, started in that order", function()
  lesson.tree(sup)
  lesson.say("In a pipeline each stage takes its input from the one started before it,")
  lesson.say("so the order of the children is the order of the dependencies.")
  return {sup = sup}
end)

lesson.step("The transformer dies: the consumer is stopped, both restart (C8)", function()
  local p, t, c = otp.whereis("producer"), otp.whereis("transformer"), otp.whereis("consumer")
  local cref = otp.monitor(c)
  otp.exit(t, "kill")
  expect.eq(expect.receive(otp.match{"DOWN", cref})[5], "shutdown")
  expect.restarted(sup, "transformer", t)
  expect.eventually(function()
    local c2 = otp.whereis("consumer"); return c2 and c2 ~= c end)
  expect.eq(otp.whereis("producer"), p)
  lesson.say("The consumer was stopped with reason \"shutdown\"; the producer kept its pid %s.", tostring(p))
  lesson.tree(sup)
end)

lesson.step("The consumer dies: only the consumer restarts", function()
  local p, t, c = otp.whereis("producer"), otp.whereis("transformer"), otp.whereis("consumer")
  otp.exit(c, "kill")
  local c2 = expect.restarted(sup, "consumer", c)
  expect.eventually(function() return otp.whereis("consumer") == c2 end)
  expect.eq({otp.whereis("producer"), otp.whereis("transformer")}, {p, t})
  lesson.say("Nothing was started after the consumer, so nothing else moved.")
end)

-- The exercise: the learner orders log, cache and api (api reads from
-- cache; log needs nobody); check() starts a rest_for_one supervisor in that
-- order, kills cache and compares the pids.
local order = {}
local function worker(name) return otp.spawn_link(function() otp.set_label(name); otp.receive() end) end
local function order_check()
  local ids = order.ids
  if type(ids) ~= "table" then
    return false, "order.ids is not set: order.ids = {\"...\", \"...\", \"...\"} (log, cache and api)"
  end
  local given = {}
  for _, id in ipairs(ids) do given[#given + 1] = id end
  table.sort(given)
  if not expect.equal(given, {"api", "cache", "log"}) then
    return false, "order.ids must name api, cache and log once each, got " .. otp.inspect(ids)
  end
  local children = {}
  for _, id in ipairs(ids) do children[#children + 1] = {id = id, start = {worker, id}} end
  local trial = assert(supervisor.start_link{strategy = "rest_for_one", children = children})
  otp.unlink(trial)
  local before = {}
  for _, c in ipairs(supervisor.which_children(trial)) do before[c.id] = c.pid end
  otp.exit(before.cache, "kill")
  local restarted = pcall(expect.restarted, trial, "cache", before.cache, 2000)
  local after = {}
  for _, c in ipairs(supervisor.which_children(trial)) do after[c.id] = c.pid end
  otp.exit(trial, "shutdown")
  if not restarted then return false, "the supervisor did not restart cache within 2 s" end
  if after.api == before.api then
    return false, "cache died and api kept its pid, still talking to the dead cache's state: " ..
      "api was started before cache, and rest_for_one only restarts the children after the dead one (C8)"
  end
  if after.log ~= before.log then
    return false, "cache died and log was restarted too, for nothing: it was started after cache (C8)"
  end
  return true
end
lesson.expose{order = order}
lesson.exercise("order the children log, cache and api (api reads from cache; log needs nobody) so that " ..
  "under rest_for_one a crash of cache restarts api but leaves log alone: order.ids = {...}",
  order_check,
  function() order.ids = {"log", "cache", "api"} end)

lesson.finish{try = "kill(\"producer\"); tree(sup) -- everyone restarts",
              next = "Ordered start-up and a failing init"}
