-- Lesson 14: Guarantees, not best effort
-- connect in init and a started server is a connected one; a reconnect loop promises nothing.
local lesson, expect = otp.lesson, otp.expect
local gen_server, supervisor = otp.gen_server, otp.supervisor
lesson.title("Guarantees, not best effort")

-- A "database": a process registered as "db" from its first instant
-- (spawn_opt's name), that answers queries; link = true for a supervisor.
local function db_loop()
  while true do
    local m = otp.receive()
    otp.send(m[1], {"rows", m[2]})
  end
end
local function start_db(link)
  return otp.spawn_opt(db_loop, {name = "db", link = link})
end

-- Version 1: init connects, or fails. Started means connected.
local strict = {}
function strict.init()
  local db = otp.whereis("db")
  if not db then return "stop", "db_unavailable" end
  otp.link(db)
  return "ok", db
end
function strict.handle_call(q, _, db)
  otp.send(db, {otp.self(), q})
  return "reply", otp.receive(otp.match{"rows"})[2], db
end

-- Version 2: starts anyway and "will connect later".
local hopeful = {}
function hopeful.init() return "ok", otp.whereis("db") end
function hopeful.handle_call(q, _, db)
  if not db then return "reply", {"error", "not_connected"}, db end
  return strict.handle_call(q, _, db)
end

lesson.step("Without a database, the strict server refuses to start", function()
  local pid, reason = gen_server.start(strict, nil)
  expect.eq({pid, reason}, {nil, "db_unavailable"})
  lesson.say("start -> nil, %s: its supervisor would know at once, and retry or escalate.", otp.inspect(reason))
end)

lesson.step("The hopeful one starts, and every caller must now handle not_connected", function()
  local pid = assert(gen_server.start(hopeful, nil))
  local answer = gen_server.call(pid, "select 1")
  expect.eq(answer, {"error", "not_connected"})
  lesson.show(answer, "call -> ")
  gen_server.stop(pid)
end)

lesson.step("With the database up, the strict server starts, and a started one answers", function()
  local db = start_db()
  local pid = assert(gen_server.start(strict, nil))
  expect.eq(gen_server.call(pid, "select 1"), "select 1")
  lesson.say("It is linked to db: if the db dies, so does the server, and its supervisor")
  lesson.say("restarts it (reconnecting in init) or gives up and tells its parent.")
  local ref = otp.monitor(pid)
  otp.exit(db, "db_crashed")
  expect.eq(expect.receive(otp.match{"DOWN", ref})[5], "db_crashed")
end)

-- The exercise: the learner orders the two child specs; check() starts a
-- rest_for_one supervisor with them, asks strict, then crashes the db.
local db_spec = {id = "db", start = {start_db, true}}
local strict_spec = {id = "strict", start = {function() return gen_server.start_link(strict, nil) end}}
local plan = {children = {strict_spec, db_spec}}
local function plan_check()
  local trapping = otp.trap_exit(true)
  local ok, trial, reason = pcall(supervisor.start_link, {strategy = "rest_for_one", children = plan.children})
  if ok and trial then otp.unlink(trial) end
  otp.trap_exit(trapping)
  otp.receive(otp.match{"EXIT"}, 0)
  if not ok then return false, "supervisor.start_link refused plan.children: " .. tostring(trial) end
  if not trial then
    return false, "start_link returned nil, " .. otp.inspect(reason) ..
      ": the children start one by one in list order (C1), and strict's init needs a running db"
  end
  local function pid(id)
    for _, c in ipairs(supervisor.which_children(trial)) do if c.id == id then return c.pid end end
  end
  local db, server = pid("db"), pid("strict")
  local answer_ok, answer = pcall(gen_server.call, server, "select 1", 2000)
  if not (answer_ok and answer == "select 1") then
    otp.exit(trial, "shutdown")
    return false, "the supervisor started, but strict answered " .. otp.inspect(answer)
  end
  otp.exit(db, "db_crashed")
  local back = pcall(expect.eventually, function()
    local s2 = pid("strict")
    return type(s2) == "userdata" and s2 ~= server and gen_server.call(s2, "select 2", 500) == "select 2"
  end, 3000)
  otp.exit(trial, "shutdown")
  if not back then return false, "after the db crashed, no new strict server answered within 3 s" end
  return true
end
lesson.expose{plan = plan, db_spec = db_spec, strict_spec = strict_spec}
lesson.exercise("plan.children = {strict_spec, db_spec} cannot start: set plan.children so that a " ..
  "rest_for_one supervisor of the two starts, answers, and after a db crash comes back connected",
  plan_check,
  function() plan.children = {db_spec, strict_spec} end)

lesson.finish{try = "s = otp.supervisor.start_link{strategy = \"rest_for_one\", children = plan.children}; kill(\"db\"); tree(s)",
              next = "Shutdown: timeouts, brutal_kill, infinity"}
