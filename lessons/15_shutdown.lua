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
  if a.slow then otp.receive(nil, 60000) end          -- takes far longer than allowed
end

local function child(id, shutdown, trap, slow)
  return {id = id, shutdown = shutdown, start = {function()
    return gen_server.start_link(server, {id = id, trap = trap, slow = slow})
  end}}
end

local sup = assert(supervisor.start_link{strategy = "one_for_one", children = {
  child("plain", 1000, false), child("trapper", 1000, true), child("brutal", "brutal_kill", true),
  child("stuck", 100, true, true), child("patient", "infinity", true)}})

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
end)

lesson.step("A trapping child gets the chance to clean up: terminate(\"shutdown\")", function()
  expect.eq(stop("trapper"), "shutdown")
  expect.receive(otp.match{"terminate", "trapper", "shutdown"}, 0)
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
  lesson.say("With \"infinity\" the supervisor would have waited for ever: keep that for")
  lesson.say("supervisors, whose own children's shutdowns bound the wait.")
  expect.eq(stop("patient"), "shutdown")
  lesson.tree(sup)
end)

lesson.finish{try = "supervisor.restart_child(sup, \"stuck\"); supervisor.terminate_child(sup, \"stuck\")",
              next = "Dynamic supervisors and the registry leak"}
