-- Lesson 13: Ordered start-up and a failing init
-- children start one at a time, each after the previous init returned; a failed start undoes the rest.
local lesson, expect = otp.lesson, otp.expect
local gen_server, supervisor = otp.gen_server, otp.supervisor
lesson.title("Ordered start-up and a failing init")
local me = otp.self()

local step_mod = {}
function step_mod.init(args)
  otp.send(args.to, {"init begins", args.id})
  if args.fail then return "stop", "no database" end
  otp.send(args.to, {"init returned", args.id})
  return "ok", args.id
end

local function spec(id, fail)
  return {id = id, start = {function() return gen_server.start_link(step_mod, {id = id, to = me, fail = fail}) end}}
end

lesson.step("Three children: each init runs only after the previous one returned (C1)", function()
  local sup = assert(supervisor.start_link{strategy = "one_for_one",
    children = {spec("config"), spec("db"), spec("web")}})
  local order = {}
  for _ = 1, 6 do local m = otp.receive(otp.match{otp._, otp._}, 0); order[#order + 1] = m[1] .. " " .. m[2] end
  expect.eq(order, {"init begins config", "init returned config", "init begins db",
                    "init returned db", "init begins web", "init returned web"})
  for _, line in ipairs(order) do lesson.say("   %s", line) end
  lesson.say("start_link returned only when all three were up: it is a guarantee, not a hope.")
  lesson.tree(sup)
  local ref = otp.monitor(sup)
  otp.unlink(sup); otp.exit(sup, "shutdown")
  expect.receive(otp.match{"DOWN", ref})
end)

lesson.step("The second child's init fails: start_link fails, the first is stopped (C2)", function()
  local session = otp.trace.start{kinds = {"sup_terminate_child"}}
  local sup, reason = supervisor.start_link{strategy = "one_for_one",
    children = {spec("config"), spec("db", true), spec("web")}}
  expect.eq(sup, nil)
  expect.eq(reason, {"shutdown", {"failed_to_start_child", "db", "no database"}})
  lesson.show(reason, "start_link returned nil and")
  local stopped = {}
  for _, e in ipairs(session:events()) do stopped[#stopped + 1] = e.id end
  expect.eq(stopped, {"config"})
  session:stop()
  expect.no_message(otp.match{"init begins", "web"}, 0)
  lesson.say("config was stopped again, and web's init never ran.")
  expect.no_message(otp.match{"EXIT"}, 0)
  lesson.say("No EXIT reached this process: a failed start is a return value (OTP 26+, B7).")
end)

-- The exercise: metrics has nothing to do on this machine; its start must
-- say so without failing the whole supervisor.
local metrics = {start = function() return nil, "no metrics server" end}
local function drain() while otp.receive(otp.match{otp._, otp._}, 0) do end end
local function ignore_check()
  local trapping = otp.trap_exit(true)    -- whatever metrics.start does, it cannot take me down
  local trial, reason = supervisor.start_link{strategy = "one_for_one",
    children = {spec("config"), {id = "metrics", start = {metrics.start}}, spec("web")}}
  if trial then otp.unlink(trial); otp.receive(otp.match{"EXIT", trial}, 0) end
  otp.trap_exit(trapping)
  drain()
  if not trial then
    return false, "start_link returned nil, " .. otp.inspect(reason) .. ": a child start that fails " ..
      "fails the whole supervisor (C2); a child with nothing to do says so differently (C3)"
  end
  local kids = {}
  for _, c in ipairs(supervisor.which_children(trial)) do kids[c.id] = c.pid end
  otp.exit(trial, "shutdown")
  if kids.metrics ~= "undefined" then
    return false, "the supervisor started, but metrics runs " .. otp.inspect(kids.metrics) ..
      ": it should run nothing at all, its spec kept with pid \"undefined\""
  end
  return true
end
lesson.expose{metrics = metrics}
lesson.exercise("metrics.start (now: return nil, \"no metrics server\") fails the supervisor of config, " ..
  "metrics and web; change it so that the supervisor starts with metrics not running: metrics.start = function() ... end",
  ignore_check,
  function() metrics.start = function() return nil, "ignore" end end)
drain()

lesson.finish{try = "otp.supervisor.start_link{strategy = \"one_for_one\", children = {{id = \"x\", start = {function() return nil, \"nope\" end}}}}",
              next = "Guarantees, not best effort"}
