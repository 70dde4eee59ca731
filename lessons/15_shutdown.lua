-- Lesson 15: Shutdown: timeouts, brutal_kill, infinity
-- how a supervisor stops a child, and when terminate runs: only when the child traps exits.
local lesson, expect = otp.lesson, otp.expect
local gen_server, supervisor = otp.gen_server, otp.supervisor
lesson.title("Shutdown: timeouts, brutal_kill, infinity")
local me = otp.self()

local server = {}
function server.init(a)
  if a.trap then otp.trap_exit(true) end
  return "ok", a
end
function server.terminate(reason, a)
  otp.send(me, {"terminate", a.id, reason})
  if a.slow then otp.receive(otp.match{"never"}, a.slow) end   -- a cleanup that takes a.slow ms
  otp.send(me, {"cleaned", a.id})
end

local function child(id, shutdown, trap, slow)
  return {id = id, shutdown = shutdown, start = {function()
    return gen_server.start_link(server, {id = id, trap = trap, slow = slow})
  end}}
end

local sup = assert(supervisor.start_link{strategy = "one_for_one", children = {
  child("plain", 1000, false), child("trapper", 1000, true), child("brutal", "brutal_kill", true),
  child("stuck", 100, true, 60000), child("patient", "infinity", true, 300)}})

local function stop(id)
  local session = otp.trace.start{kinds = {"sup_terminate_child"}}
  expect.eq(supervisor.terminate_child(sup, id), true)
  session:stop()
  return session:events()[1].reason
end

lesson.step("A child that does not trap exits dies of \"shutdown\" at once: no terminate (B5)", function()
  expect.eq(stop("plain"), "shutdown")
  expect.no_message(otp.match{"terminate", "plain"}, 0)
  lesson.say("plain ended with \"shutdown\" and its terminate never ran.")
  return {sup = sup}
end)

lesson.step("A trapping child gets the chance to clean up: terminate(\"shutdown\")", function()
  expect.eq(stop("trapper"), "shutdown")
  expect.receive(otp.match{"terminate", "trapper", "shutdown"}, 0)
  otp.receive(otp.match{"cleaned", "trapper"}, 0)
  lesson.say("trapper's terminate ran with reason \"shutdown\" before it exited.")
end)

lesson.step("brutal_kill: exit(pid, \"kill\"), no cleanup even when trapping (C12)", function()
  expect.eq(stop("brutal"), "killed")
  expect.no_message(otp.match{"terminate", "brutal"}, 0)
  lesson.say("brutal ended \"killed\"; terminate did not run.")
end)

lesson.step("A timeout: shutdown, wait 100 ms, then kill", function()
  expect.eq(stop("stuck"), "killed")
  expect.receive(otp.match{"terminate", "stuck", "shutdown"}, 0)
  lesson.say("stuck's terminate started, overran its 100 ms, and the supervisor killed it.")
  expect.no_message(otp.match{"cleaned", "stuck"}, 0)
  expect.eq(stop("patient"), "shutdown")
  expect.receive(otp.match{"terminate", "patient", "shutdown"}, 0)
  expect.receive(otp.match{"cleaned", "patient"}, 0)
  lesson.say("patient's cleanup took 300 ms, three times stuck's limit; with \"infinity\" the")
  lesson.say("supervisor waited until it finished, and would have waited for ever. Keep that")
  lesson.say("for supervisors, whose own children's shutdowns bound the wait (C12).")
  lesson.tree(sup)
end)

-- The exercise: cleaner traps exits and needs 200 ms to clean up; the
-- learner picks its shutdown, check() starts it under a fresh supervisor and
-- terminates it.
local settings = {shutdown = 50}
local function shutdown_check()
  local trial = assert(supervisor.start_link{strategy = "one_for_one"})
  otp.unlink(trial)
  local ok, err = supervisor.start_child(trial, child("cleaner", settings.shutdown, true, 200))
  if not ok then
    otp.exit(trial, "shutdown")
    return false, "a child with shutdown = " .. otp.inspect(settings.shutdown) .. " does not start: " .. otp.inspect(err)
  end
  local session = otp.trace.start{kinds = {"sup_terminate_child"}}
  supervisor.terminate_child(trial, "cleaner")
  session:stop()
  otp.exit(trial, "shutdown")
  local ev = session:events()[1]
  local cleaned = otp.receive(otp.match{"cleaned", "cleaner"}, 0)
  otp.receive(otp.match{"terminate", "cleaner"}, 0)
  if cleaned and ev and ev.reason == "shutdown" then return true end
  return false, "with shutdown = " .. otp.inspect(settings.shutdown) .. " cleaner ended " ..
    otp.inspect(ev and ev.reason) .. (cleaned and "" or ", before its 200 ms cleanup finished") ..
    ": an integer shutdown is how long the supervisor waits before it kills (C12)"
end
lesson.expose{settings = settings}
lesson.exercise("cleaner's terminate needs 200 ms; with settings.shutdown = 50 it is killed half-way. " ..
  "Set settings.shutdown so that its cleanup always finishes (check() starts it and terminates it)",
  shutdown_check,
  function() settings.shutdown = 5000 end)

lesson.finish{try = "otp.supervisor.restart_child(sup, \"stuck\"); otp.supervisor.terminate_child(sup, \"stuck\"); flush()",
              next = "Dynamic supervisors and the registry leak"}
