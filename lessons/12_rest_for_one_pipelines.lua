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
  lesson.say("Each stage depends on the ones before it (it was given their names at start).")
  return {sup = sup}
end)

lesson.step("The transformer dies: the consumer is stopped, both restart (C8)", function()
  local p, t, c = otp.whereis("producer"), otp.whereis("transformer"), otp.whereis("consumer")
  local cref = otp.monitor(c)
  otp.exit(t, "kill")
  expect.eq(expect.receive(otp.match{"DOWN", cref})[5], "shutdown")
  expect.eventually(function()
    local t2, c2 = otp.whereis("transformer"), otp.whereis("consumer")
    return t2 and c2 and t2 ~= t and c2 ~= c
  end)
  expect.eq(otp.whereis("producer"), p)
  lesson.say("The consumer was stopped with reason \"shutdown\"; the producer kept its pid %s.", tostring(p))
  lesson.tree(sup)
end)

lesson.step("The consumer dies: only the consumer restarts", function()
  local p, t, c = otp.whereis("producer"), otp.whereis("transformer"), otp.whereis("consumer")
  otp.exit(c, "kill")
  expect.eventually(function() local c2 = otp.whereis("consumer"); return c2 and c2 ~= c end)
  expect.eq({otp.whereis("producer"), otp.whereis("transformer")}, {p, t})
  lesson.say("Nothing was started after the consumer, so nothing else moved.")
end)

lesson.finish{try = "otp.exit(otp.whereis(\"producer\"), \"kill\"); tree(sup) -- everyone restarts",
              next = "Ordered start-up and a failing init"}
