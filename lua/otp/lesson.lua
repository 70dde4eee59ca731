-- otp.lesson: narration, steps, pauses and exercises for the course in
-- lessons/ (API.md section 6).
--
--   local lesson = otp.lesson
--   lesson.title("Links and the chain of death")   -- must match the file's header
--   lesson.step("Spawn a chain", function() ... end)
--   lesson.show(value)        lesson.tree(sup)        lesson.diagram(session)
--   lesson.pause("kill a link and watch", {sup = sup})
--   lesson.exercise("make b transient", check, solution)
--   lesson.finish{try = "kill(...) in the console", next = "Exit reasons"}
--
-- Two modes. Straight through (the default, `otplab run` or `otplab lesson
-- N`): pauses do nothing, and an exercise first checks that its check FAILS
-- on the untouched lesson (so a check cannot be trivially true), then runs
-- the lesson's reference solution and expects the check to hold. The lesson
-- exits 0 iff every expectation held. Interactive (`otplab lesson N
-- --interactive`, or `lesson(n)` typed in the console): the lesson runs in
-- the console's shell, and after every step and at every pause the learner
-- gets that shell (line editing, history, Tab) with the lesson's processes
-- live; `continue()` or Ctrl-D goes on. During an exercise `check()` runs
-- the check and says why not, with the runtime events recorded since the
-- exercise began; leaving an exercise unsolved runs the reference solution,
-- so the rest of the lesson holds. The pause's helpers: continue(), check(),
-- tree(sup), pp(v), flush(), help(); values given to pause (or exposed with
-- lesson.expose) are globals there, and the console's own helpers and
-- globals stay reachable. On the dashboard (POST /api/v1/lessons/{n}/run)
-- the narration goes to the page and every pause waits for its continue;
-- an exercise's check runs when the page asks, and an unsolved exercise
-- runs the reference solution, as in the console.
--
-- The module keeps no state of its own: each lesson process keeps its
-- exposed values, its step count and its current exercise in its globals
-- (under _LESSON).

local otp = require "otp"
local expect = require "otp.expect"
local inspect = require "otp.inspect"
local console_tree = require "otp.console.tree"

local lesson = {}

-- The calling process's globals (a module's own _ENV is shared by every
-- process; load's default environment is the caller's).
local function process_globals()
  return load("return _ENV")()
end

local function state()
  local g = process_globals()
  local s = rawget(g, "_LESSON")
  if not s then
    s = {steps = 0, exposed = {}}
    rawset(g, "_LESSON", s)
  end
  return s
end

-- The console's native side, when this process is the console's shell (the
-- one process that may read its input); nil anywhere else.
local function console_input()
  local native = otp_internal.console_native
  if native and native.info().is_shell then return native end
  return nil
end

--- lesson.interactive() -> bool: whether pauses open a shell: in the
-- console's shell, unless `otplab lesson N` asked for straight through.
function lesson.interactive()
  return console_input() ~= nil and os.getenv("OTPLAB_LESSON_MODE") ~= "straight"
end

-- Dashboard mode: the lesson runs under the API's lesson runner
-- (otp.api.lesson_runner), which put this table in the lesson process's
-- globals: {owner = runner pid, run = run id, pauses = bool}. Narration goes
-- to the runner; a pause waits for the page's continue (or check).
local function dashboard()
  return rawget(process_globals(), "_LESSON_DASHBOARD")
end

local function out(text)
  local d = dashboard()
  if d then otp.send(d.owner, {"$lesson_out", d.run, text}); return end
  io.write(text, "\n"); io.flush()
end

-- The header every lesson file starts with: "-- Lesson N: TITLE".
local function header_of(source)
  local path = source and source:match("^@(.+)$")
  local f = path and io.open(path, "r")
  if not f then return nil end
  local first = f:read("l")
  f:close()
  return first and first:match("^%-%- Lesson (%d+): (.+)$")
end

--- lesson.title(text): prints the title; it must be the file's header title.
function lesson.title(text)
  local n, header = header_of(debug.getinfo(2, "S").source)
  if header and header ~= text then
    error(string.format("badarg: lesson.title(%q) differs from the file's header %q: make them the same",
                        text, header), 2)
  end
  rawset(process_globals(), "_LESSON", nil)   -- a console may run one lesson after another
  local s = state()
  s.number = tonumber(n)
  if not dashboard() then otp.log_level("none") end   -- lessons tell crashes themselves (not in the server's node)
  otp.set_label("lesson")
  local line = n and string.format("Lesson %d: %s", n, text) or text
  out(line .. "\n" .. string.rep("=", utf8.len(line) or #line))
end

--- lesson.say(fmt, ...): narration (string.format when arguments follow).
function lesson.say(fmt, ...)
  if select("#", ...) > 0 then out(string.format(fmt, ...)) else out(fmt) end
end

--- lesson.show(value[, label]): the value as otp.inspect writes it.
function lesson.show(value, label)
  local text = inspect(value, {width = 90})
  if label then text = label .. ": " .. text end
  out("    " .. text:gsub("\n", "\n    "))
  return value
end

local function render_tree(sup)
  if type(sup) == "string" then sup = otp.whereis(sup) or sup end
  local lines = console_tree.lines(sup)
  if not lines then return inspect(sup) .. "  (not a running supervisor)" end
  return table.concat(lines, "\n")
end

--- lesson.tree(sup): the live tree under sup, as the console's tree() shows it.
function lesson.tree(sup)
  out(render_tree(sup))
end

--- lesson.diagram(session): the session's Mermaid sequence diagram.
function lesson.diagram(session)
  out(session:sequence_diagram())
end

--- lesson.expose(vars): names the shell will see as globals.
function lesson.expose(vars)
  local exposed = state().exposed
  for k, v in pairs(vars) do exposed[k] = v end
end

---------------------------------------------------------------------------
-- The shell of a pause
---------------------------------------------------------------------------

local INPUT = otp.match{"$console"}

-- The next chunk typed at the pause's prompt (lines joined until it
-- compiles), or nil at Ctrl-D.
local function next_chunk(native)
  local chunk
  while true do
    native.read(chunk and "more" or "first", chunk and ".. " or "lesson> ")
    local msg = otp.receive(INPUT)
    if msg[2] == "eof" then return nil end
    if msg[2] == "cancel" then
      chunk = nil
    else
      chunk = chunk and (chunk .. "\n" .. msg[3]) or msg[3]
      local _, err = load("return " .. chunk, "=lesson")
      if not err then return chunk end
      _, err = load(chunk, "=lesson")
      if not (err and err:sub(-5) == "<eof>") then return chunk end
    end
  end
end

local HELP = [[
  continue()    go on with the lesson (or Ctrl-D)
  check()       does the exercise hold? (during an exercise)
  tree(sup)     the live tree under sup
  pp(v)         print a value
  flush()       print and remove this process's messages
  supervisor, gen_server, sys, dynamic   the behaviours, as the lessons name them
  otp.*         the whole runtime: otp.whereis("name"), otp.exit(pid, "kill"), ...]]

-- Runs what the learner typed; Ctrl-C meanwhile stops it with an error
-- caught here, and the lesson goes on (a second Ctrl-C, if the first is
-- caught by the typed code itself, ends the shell as in the console).
local function evaluate(line, env, native)
  local chunk, err = load("return " .. line, "=lesson", "t", env)
  if not chunk then chunk, err = load(line, "=lesson", "t", env) end
  if not chunk then out("syntax: " .. err); return end
  local interrupted = native.interruptible(true)
  local results = table.pack(pcall(chunk))
  native.interruptible(false)
  if not results[1] and results[2] == interrupted then
    out("** interrupted (Ctrl-C); the lesson goes on: continue() when you are ready")
    return
  end
  if not results[1] then out("error: " .. inspect(results[2])); return end
  for i = 2, results.n do out(inspect(results[i])) end
end

local function shell(hint, exercise)
  local s = state()
  local globals = process_globals()
  local native = console_input()
  local going_on = false
  local helpers = {
    continue = function() going_on = true end,
    supervisor = otp.supervisor, gen_server = otp.gen_server, sys = otp.sys,
    dynamic = otp.dynamic_supervisor,
    tree = function(sup) out(render_tree(sup)) end,
    pp = function(v) out(inspect(v)) end,
    help = function() out(HELP) end,
    flush = function()
      while true do
        local msg = otp.receive(nil, 0)
        if msg == nil then return end
        out("shell got " .. inspect(msg))
      end
    end,
    check = function()
      if not exercise then out("There is no exercise to check here."); return end
      exercise.run_check(true)
    end,
  }
  local env = setmetatable({}, {__index = function(_, k)
    if helpers[k] ~= nil then return helpers[k] end
    if s.exposed[k] ~= nil then return s.exposed[k] end
    return globals[k]
  end})
  if hint then out("\n>> " .. hint) end
  out(">> the lesson's processes are live: try things; help() lists the helpers, continue() or Ctrl-D goes on")
  while not going_on do
    local chunk = next_chunk(native)
    if chunk == nil then out(""); break end
    if chunk:match("%S") then evaluate(chunk, env, native) end
  end
end

-- A pause on the dashboard: the page shows the hint and the exposed values
-- and answers continue (or, at an exercise, check).
local function dashboard_wait(d, hint, exercise)
  local vars = {}
  for k, v in pairs(state().exposed) do vars[tostring(k)] = inspect(v, {depth = 2, width = 80}) end
  otp.send(d.owner, {"$lesson_pause", d.run, {hint = hint, exercise = exercise ~= nil, vars = vars}})
  while true do
    local m = otp.receive(function(m)
      return type(m) == "table" and m[2] == d.run and (m[1] == "$lesson_go" or m[1] == "$lesson_check")
    end)
    if m[1] == "$lesson_go" then return end
    if exercise then exercise.run_check(true) end
  end
end

-- Where a pause waits: the dashboard's page, the console's shell, or nowhere.
local function wait_for_learner(hint, exercise)
  local d = dashboard()
  if d then
    if d.pauses then dashboard_wait(d, hint, exercise); return true end
    return false
  end
  if lesson.interactive() then shell(hint, exercise); return true end
  return false
end

--- lesson.pause([hint[, vars]]): interactive mode only: a shell until continue().
function lesson.pause(hint, vars)
  if vars then lesson.expose(vars) end
  wait_for_learner(hint)
end

--- lesson.step(title, fn): a numbered step; interactive mode pauses after it.
function lesson.step(title, fn)
  local s = state()
  s.steps = s.steps + 1
  out(string.format("\n%d. %s", s.steps, title))
  local vars = fn()
  if type(vars) == "table" then lesson.expose(vars) end
  lesson.pause()
end

---------------------------------------------------------------------------
-- Exercises
---------------------------------------------------------------------------

local EXERCISE_KINDS = {"spawn", "exit", "down", "register", "sup_start_child",
                        "sup_restart", "sup_terminate_child", "sup_shutdown"}

-- What happened since the exercise began, newest last, a few lines.
local function recent_events(session, n)
  local events = session:events()
  local lines = {}
  for i = math.max(1, #events - n + 1), #events do
    local e = events[i]
    local fields = {}
    for _, k in ipairs{"id", "reason", "name", "old_pid", "new_pid", "child"} do
      if e[k] ~= nil then fields[#fields + 1] = k .. "=" .. inspect(e[k], {depth = 2, width = 60}) end
    end
    lines[#lines + 1] = string.format("      %-20s %s %s", e.kind, inspect(e.pid), table.concat(fields, " "))
  end
  return lines
end

--- lesson.exercise(prompt, check, solution)
-- check(session) -> true | false, why (session: the trace of the exercise);
-- solution(): the lesson's reference answer, run when nobody else answers.
function lesson.exercise(prompt, check, solution)
  out("\nExercise: " .. prompt)
  local session = otp.trace.start{kinds = EXERCISE_KINDS, max_events = 2000}
  local exercise = {}
  function exercise.run_check(verbose)
    local ok, held, why = pcall(check, session)
    if not ok then held, why = false, "the check itself failed: " .. inspect(held) end
    if verbose then
      if held then
        out("yes: the exercise holds. continue() goes on.")
      else
        out("not yet: " .. tostring(why or "the check does not hold"))
        local lines = recent_events(session, 8)
        if #lines > 0 then
          out("    what happened since the exercise began (newest last):")
          for _, l in ipairs(lines) do out(l) end
        end
      end
    end
    return held, why
  end
  local d = dashboard()
  local hint = d and "your turn: do it on the dashboard (the Supervisors and Operations pages act on this node), then check"
    or "your turn: do it in this shell, then check()"
  if wait_for_learner(hint, exercise) then
    if not exercise.run_check(false) then
      out("(not solved: the lesson runs its own solution so that it can go on)")
      solution()
      expect.truthy(exercise.run_check(false), "the reference solution makes the exercise hold")
    end
  else
    local held = exercise.run_check(false)
    expect.falsy(held, "the exercise's check fails before it is solved")
    solution()
    local ok, why = exercise.run_check(false)
    expect.truthy(ok, "the reference solution makes the exercise hold: " .. tostring(why))
    out("(reference solution: the check holds)")
  end
  session:stop()
end

--- lesson.finish{try = text, shell = text, next = title}: what to try (in the
-- console, or in a terminal), then the next lesson.
function lesson.finish(t)
  local n = state().number
  if t.try then out("\nTry in the console: " .. t.try) end
  if t.shell then out("\nTry in a terminal: " .. t.shell) end
  if t.next and n then
    out(string.format("Next: lesson %d, %s (otplab lesson %d)", n + 1, t.next, n + 1))
  elseif n then
    out(string.format("That was the last lesson. Back to the start: otplab lesson 1"))
  end
  if dashboard() then
    out(">> the lesson is over; what it started and left running stays live until you stop it or run another lesson")
  elseif lesson.interactive() then   -- the console goes on: what the pauses knew stays known
    local names, globals = {}, process_globals()
    for k, v in pairs(state().exposed) do
      if type(k) == "string" and globals[k] == nil then globals[k] = v; names[#names + 1] = k end
    end
    table.sort(names)
    local known = #names > 0 and " (" .. table.concat(names, ", ") .. " are globals here)" or ""
    out(">> the lesson is over; its processes are still live in this console" .. known
        .. ". Ctrl-D leaves.")
  end
end

return lesson
