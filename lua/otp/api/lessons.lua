-- otp.api.lessons: /api/v1/lessons: the course, and one lesson run on the
-- node for the dashboard, watched live (otp.api.lesson_runner says where it
-- runs and how it is bounded). The page starts a run, reads its narration
-- by offset (GET .../run?after=N, which waits up to wait_ms for news),
-- answers its pauses (continue, check) and may stop it.
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"

local lessons = {}
lessons.default_timeout_s, lessons.max_timeout_s = 900, 3600
lessons.max_wait_ms = 1500         -- below the server's 2 s deadline

local function folder()
  return (package.searchpath("otp.demo", package.path) or ""):gsub("lua/otp/demo%.lua$", "lessons")
end

--- lessons.all() -> {{number, title, file, path}, ...} in number order.
function lessons.all()
  local dir = folder()
  local list = {}
  for _, file in ipairs(otp_internal.net.list_files(dir, ".lua")) do
    local number = tonumber(file:match("^(%d+)_[^/]*%.lua$"))
    if number then
      local f = io.open(dir .. "/" .. file)
      local source = f and f:read("a") or ""
      if f then f:close() end
      local first = source:match("^[^\n]*")
      -- a lesson that starts programs would block the server's loop while they run
      local blocking = source:find("io.popen", 1, true) or source:find("os.execute", 1, true)
      -- the names it may register: its string literals that look like names
      local literals, seen = {}, {}
      for lit in source:gmatch('"([%a_][%w_]*)"') do
        if not seen[lit] then seen[lit] = true; literals[#literals + 1] = lit end
      end
      list[#list + 1] = {file = "lessons/" .. file, number = number, path = dir .. "/" .. file,
                         title = first:match("^%-%-%s*(.-)%s*$") or file, dashboard = not blocking,
                         literals = literals}
    end
  end
  table.sort(list, function(a, b) return a.number < b.number end)
  return list
end

op{name = "list_lessons", method = "GET", path = "/api/v1/lessons",
  description = "The lessons (lessons/*.lua): number, file, title (the first comment line) and whether the dashboard can run it (runs_on_dashboard).",
  handler = function()
    local list = json.array()
    for _, l in ipairs(lessons.all()) do
      list[#list + 1] = {file = l.file, number = l.number, title = l.title, runs_on_dashboard = l.dashboard}
    end
    return list, {total = #list}
  end}

-- Asks the lesson runner; its refusals become 409 and 404.
local function ask(action, a, b, timeout_ms)
  local pid = otp.whereis("api_lessons") or errors.fail(503, "unavailable", "the lesson runner is not running")
  local ref = otp.make_ref()
  otp.send(pid, {otp.self(), ref, action, a, b})
  local m = otp.receive(otp.match{ref}, timeout_ms or lessons.max_wait_ms)
    or errors.fail(504, "timeout", "the lesson runner did not answer in time")
  local r = m[2]
  if r.error then errors.fail(500, "internal", r.error) end
  if r.conflict then errors.fail(409, "conflict", r.conflict) end
  if r.missing then errors.fail(404, "not_found", "no lesson has run yet: start one with POST /api/v1/lessons/{n}/run") end
  return r, ref
end

local function shown(run)
  run.entries = json.array(run.entries)
  run.supervisors = json.array(run.supervisors)
  run.sandboxes_destroyed = json.array(run.sandboxes_destroyed)
  return run
end

op{name = "run_lesson", method = "POST", path = "/api/v1/lessons/{n}/run", destructive = true, deadline_ms = 15000,
  params = {{name = "n", ["in"] = "path", type = "integer", description = "the lesson's number, as GET /api/v1/lessons lists them"}},
  body = {description = '{"pauses": true (default: wait at every pause and after every step) | false (straight through), "timeout": seconds (default 900, at most 3600)}',
          fields = {{name = "pauses", type = "boolean"}, {name = "timeout", type = "integer"}}},
  description = "Runs lesson n on this node in a process subtree of its own (one lesson at a time): its narration is read with GET /api/v1/lessons/run, its pauses answered with .../continue and .../check, DELETE stops it and kills what it started; after the timeout it is stopped.",
  handler = function(p, b)
    local all = lessons.all()
    local lesson
    for _, l in ipairs(all) do if l.number == p.n then lesson = l end end
    if not lesson then
      errors.fail(404, "not_found", string.format("there is no lesson %d: the lessons are numbered %d to %d (GET /api/v1/lessons lists them)",
        p.n, all[1] and all[1].number or 0, all[#all] and all[#all].number or 0))
    end
    if not lesson.dashboard then
      errors.fail(409, "conflict", string.format("%s starts otplab as a separate program, which would block this "
        .. "node while it runs: run it in a terminal with otplab lesson %d", lesson.title, lesson.number))
    end
    local timeout = b.timeout or lessons.default_timeout_s
    if timeout < 10 or timeout > lessons.max_timeout_s then
      errors.fail(400, "badarg", "timeout must be from 10 to " .. lessons.max_timeout_s .. " seconds, got " .. timeout)
    end
    local pauses = b.pauses
    if pauses == nil then pauses = true end
    local r = ask("start", lesson, {timeout = timeout, pauses = pauses}, 14000)
    return shown(r.run), nil, 201
  end}

op{name = "lesson_run", method = "GET", path = "/api/v1/lessons/run",
  params = {{name = "after", ["in"] = "query", type = "integer", default = 0,
             description = "only the narration entries after this seq (the 'next' of the previous answer)"},
            {name = "wait_ms", ["in"] = "query", type = "integer", default = 0,
             description = "when nothing is new, wait this long (at most 1500 ms) for news before answering"}},
  description = "The current (or last) lesson run: state (none before any run, running, paused, finished, failed, stopped, timeout), the pause it waits at, its narration after 'after', and the pids of its live supervisors.",
  handler = function(p)
    if p.after < 0 or p.wait_ms < 0 then errors.fail(400, "badarg", "after and wait_ms must be 0 or more") end
    if p.wait_ms > 0 then
      local r, ref = ask("watch", p.after)
      if r.waiting then otp.receive(otp.match{ref, "changed"}, math.min(p.wait_ms, lessons.max_wait_ms - 200)) end
    end
    local r = ask("status", p.after)
    if not r.run then            -- not an error: the page asks before anything ran
      return {state = "none", entries = json.array(), next = 0, supervisors = json.array()}
    end
    return shown(r.run)
  end}

op{name = "lesson_continue", method = "POST", path = "/api/v1/lessons/run/continue",
  description = "The running lesson goes on from its pause (at an exercise left unsolved, it runs its own solution first).",
  handler = function()
    return shown(ask("continue").run)
  end}

op{name = "lesson_check", method = "POST", path = "/api/v1/lessons/run/check",
  description = "At an exercise: runs its check; whether it holds (and why not) appears in the narration.",
  handler = function()
    return shown(ask("check").run)
  end}

op{name = "stop_lesson", method = "DELETE", path = "/api/v1/lessons/run", destructive = true, deadline_ms = 15000,
  description = "Stops the lesson (if it still runs) and kills every process it started, and the sandboxes it made.",
  handler = function()
    return shown(ask("stop", nil, nil, 14000).run)
  end}

return lessons
