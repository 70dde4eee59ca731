-- Lesson 14: Guarantees, not best effort
-- connect in init and a started server is a connected one; a reconnect loop promises nothing.
local lesson, expect = otp.lesson, otp.expect
local gen_server, supervisor = otp.gen_server, otp.supervisor
lesson.title("Guarantees, not best effort")

-- A "database": a registered process that answers queries.
local function start_db()
  return otp.spawn(function()
    otp.register("db", otp.self())
    while true do
      local m = otp.receive()
      otp.send(m[1], {"rows", m[2]})
    end
  end)
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

lesson.finish{try = "write a supervisor with db first and the strict server second: why that order?",
              next = "Shutdown: timeouts, brutal_kill, infinity"}
