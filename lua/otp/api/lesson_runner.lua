-- otp.api.lesson_runner: the process (registered as api_lessons, started by
-- the API server) that runs one lesson at a time for the dashboard.
--
-- Where a lesson runs, and why there: in this node, in a process subtree of
-- its own, as the console's lesson(n) runs it beside the demo tree. Only the
-- shipped course runs (a number picks a file of lessons/, no code comes from
-- the request), so the code is trusted; what must be bounded is what it
-- does to the node: its root process is nobody's link, a stop or the
-- timeout kills every process whose ancestors include the root and destroys
-- the sandboxes created while it ran, and the root's globals have no
-- io.popen, os.execute or os.exit (they would block the node's loop or end
-- it). A sandbox cannot hold a lesson: lessons read files, make sandboxes
-- of their own and trace, and a sandbox's supervisors have no REST resource
-- for the page's tree to read.
--
-- The lesson talks to the runner through otp.lesson's dashboard mode
-- (_LESSON_DASHBOARD in the root's globals): narration as
-- {"$lesson_out", run, text}, a pause as {"$lesson_pause", run, info}; the
-- runner answers a pause with {"$lesson_go", run} or {"$lesson_check", run}.
-- The page reads the narration by offset (entries after N), waiting for
-- news with a watch.
local otp = require "otp"
local inspect = require "otp.inspect"

local runner = {}
runner.max_entries = 4000          -- the newest entries kept (older ones are counted)
runner.max_entry_bytes = 16 << 10
runner.cleanup_wait_ms = 3000

local run = nil                    -- the current (or last) run
local serial = 0
local watchers = {}                -- {pid, ref} waiting for the next change

local function notify()
  for _, w in ipairs(watchers) do otp.send(w[1], {w[2], "changed"}) end
  watchers = {}
end

local function add_entry(kind, text, extra)
  if #text > runner.max_entry_bytes then text = text:sub(1, runner.max_entry_bytes) .. " [...]" end
  run.seq = run.seq + 1
  local e = {seq = run.seq, kind = kind, text = text}
  for k, v in pairs(extra or {}) do e[k] = v end
  run.entries[#run.entries + 1] = e
  if #run.entries > runner.max_entries then
    table.remove(run.entries, 1)
    run.dropped = run.dropped + 1
  end
  notify()
end

-- The processes of the run: the root and every process it (or its
-- descendants) spawned, deepest last.
local function subtree(root)
  local out = {}
  for _, pid in ipairs(otp.processes()) do
    local anc = otp.process_info(pid, "ancestors")
    if pid == root then
      out[#out + 1] = {pid = pid, depth = 0}
    elseif anc then
      for i, a in ipairs(anc) do
        if a == root then out[#out + 1] = {pid = pid, depth = i}; break end
      end
    end
  end
  table.sort(out, function(a, b) return a.depth < b.depth end)
  return out
end

--- runner.supervisors(root) -> the pids of the live supervisors of the run
-- (asked on every read of the run: it looks at supervisors only).
function runner.supervisors(root)
  local list = {}
  for _, s in ipairs(otp.analytics.stats()) do
    local anc = s.alive and otp.process_info(s.sup, "ancestors")
    for _, a in ipairs(anc or {}) do
      if a == root then list[#list + 1] = s.sup; break end
    end
  end
  return list
end

-- Kills what the run left: its processes (again while a supervisor it had
-- not reached yet restarts something), then the sandboxes it made.
local function clean_up(r)
  if r.cleaned then return end
  r.cleaned = true
  for _ = 1, 10 do
    local procs = subtree(r.root)
    if #procs == 0 then break end
    local refs = {}
    for _, p in ipairs(procs) do
      refs[#refs + 1] = otp.monitor(p.pid)
      otp.exit(p.pid, "kill")
    end
    local deadline = otp.monotonic_time() + runner.cleanup_wait_ms
    for _, ref in ipairs(refs) do
      otp.receive(otp.match{"DOWN", ref}, math.max(0, deadline - otp.monotonic_time()))
    end
  end
  local before = r.sandboxes_before
  for _, name in ipairs(otp.sandbox.list()) do
    if not before[name] then
      pcall(otp.sandbox.destroy, name, 1000)
      r.sandboxes_destroyed[#r.sandboxes_destroyed + 1] = name
    end
  end
end

local function finish(state, why)
  if run.state == "running" or run.state == "paused" then
    run.state = state
    run.pause = nil
    run.finished_at = otp.system_time()
    if why then add_entry("end", why) else notify() end
  end
end

-- The lesson's root process: the lesson file, in globals where the calls
-- that would block or end the node raise instead.
function runner.root(path, number, run_id, owner, pauses)
  local g = load("return _ENV")()
  local function refused(what)
    return function()
      error("badarg: " .. what .. " is not available to a lesson run from the dashboard (it would block or "
        .. "end the server's node); run this lesson in a terminal: otplab lesson " .. number, 2)
    end
  end
  rawset(g, "io", setmetatable({popen = refused("io.popen")}, {__index = io}))
  rawset(g, "os", setmetatable({execute = refused("os.execute"), exit = refused("os.exit")}, {__index = os}))
  rawset(g, "print", function(...)
    local parts = table.pack(...)
    for i = 1, parts.n do parts[i] = tostring(parts[i]) end
    otp.send(owner, {"$lesson_out", run_id, table.concat(parts, "\t", 1, parts.n)})
  end)
  rawset(g, "_LESSON_DASHBOARD", {owner = owner, run = run_id, pauses = pauses})
  local chunk, err = loadfile(path)
  if not chunk then error(err, 0) end
  chunk()
end

local function snapshot_sandboxes()
  local set = {}
  for _, name in ipairs(otp.sandbox.list()) do set[name] = true end
  return set
end

local actions = {}

function actions.start(lesson, opts)
  if run and not run.cleaned then
    if run.state == "running" or run.state == "paused" then
      return {conflict = string.format("%s is %s: stop it first (DELETE /api/v1/lessons/run), one lesson runs at a time",
                                       run.title, run.state)}
    end
    clean_up(run)
  end
  -- it shares the node's registry: a name it registers that a process of the
  -- node already has would fail it halfway (the demo tree's consumer, say)
  local taken = {}
  for _, name in ipairs(lesson.literals or {}) do
    if otp.whereis(name) then taken[#taken + 1] = name end
  end
  if #taken > 0 then
    return {conflict = string.format("%s registers the name%s %s, which process%s of this node already ha%s "
      .. "(the tree otplab serve started, perhaps): stop %s first, or run the lesson in a terminal with otplab lesson %d",
      lesson.title, #taken > 1 and "s" or "", table.concat(taken, ", "), #taken > 1 and "es" or "",
      #taken > 1 and "ve" or "s", #taken > 1 and "them" or "it", lesson.number)}
  end
  serial = serial + 1
  run = {id = serial, number = lesson.number, title = lesson.title, file = lesson.file, state = "running",
         entries = {}, seq = 0, dropped = 0, started_at = otp.system_time(), timeout_s = opts.timeout,
         pauses = opts.pauses, sandboxes_before = snapshot_sandboxes(), sandboxes_destroyed = {}}
  local root, ref = otp.spawn_monitor(runner.root, lesson.path, lesson.number, serial, otp.self(), opts.pauses)
  run.root, run.ref = root, ref
  run.deadline = otp.monotonic_time() + opts.timeout * 1000
  notify()
  return {run = runner.status(0)}
end

function actions.status(after) return {run = runner.status(after or 0)} end

function actions.watch(after, from_ref)
  if run and (run.seq > (after or 0) or not (run.state == "running" or run.state == "paused")) then
    return {changed = true}
  end
  if #watchers >= 64 then           -- readers that gave up (their request ended) are let go
    local live = {}
    for _, w in ipairs(watchers) do if otp.is_alive(w[1]) then live[#live + 1] = w end end
    watchers = live
  end
  watchers[#watchers + 1] = from_ref
  return {waiting = true}
end

local function answer_pause(kind)
  if not run or run.state ~= "paused" then
    return {conflict = run and ("the lesson is " .. run.state .. ", not waiting at a pause")
                       or "no lesson is running: start one with POST /api/v1/lessons/{n}/run"}
  end
  if kind == "check" and not run.pause.exercise then
    return {conflict = "this pause is not an exercise: there is nothing to check; continue goes on"}
  end
  otp.send(run.root, {kind == "check" and "$lesson_check" or "$lesson_go", run.id})
  if kind == "go" then
    run.state, run.pause = "running", nil
    notify()
  end
  return {run = runner.status(run.seq)}
end

function actions.continue() return answer_pause("go") end
function actions.check() return answer_pause("check") end

function actions.stop()
  if not run then return {missing = true} end
  if run.state == "running" or run.state == "paused" then
    finish("stopped", "stopped from the dashboard")
  end
  clean_up(run)
  notify()
  return {run = runner.status(run.seq)}
end

--- runner.status(after) -> the run as the API shows it, with the entries after seq `after`.
function runner.status(after)
  if not run then return nil end
  local entries = {}
  for _, e in ipairs(run.entries) do if e.seq > after then entries[#entries + 1] = e end end
  local live = not run.cleaned and otp.is_alive(run.root)
  local sups = run.cleaned and {} or runner.supervisors(run.root)
  return {id = run.id, number = run.number, title = run.title, file = run.file, state = run.state,
          pause = run.pause, entries = entries, next = run.seq, dropped = run.dropped,
          started_at = run.started_at, finished_at = run.finished_at, timeout_s = run.timeout_s,
          pauses = run.pauses, reason = run.reason, root = run.root, root_alive = live,
          supervisors = sups, processes_cleaned = run.cleaned or false,
          sandboxes_destroyed = run.sandboxes_destroyed}
end

local function on_lesson_message(m)
  if not run or m[2] ~= run.id then return end
  if m[1] == "$lesson_out" and type(m[3]) == "string" then
    add_entry("text", m[3])
  elseif m[1] == "$lesson_pause" and type(m[3]) == "table" and run.state == "running" then
    local info = m[3]
    run.state = "paused"
    run.pause = {hint = info.hint, exercise = info.exercise or false, prompt = info.prompt, vars = info.vars}
    add_entry("pause", info.hint or "", {exercise = info.exercise or false})
    run.pause.seq = run.seq          -- which pause this is: what the narration says after it is not a new one
  end
end

local function on_down(m)
  if not run or m[2] ~= run.ref then return end
  local reason = m[5]
  if reason == "normal" then
    finish("finished", "the lesson finished: every claim it checked held")
  else
    -- an error's reason is {"error", message, stack}: the message says it
    local said = type(reason) == "table" and reason[1] == "error" and type(reason[2]) == "string"
    run.reason = said and reason[2] or inspect(reason, {width = 200})
    finish("failed", "the lesson stopped: " .. run.reason)
  end
end

function runner.main()
  otp.set_label("api_lessons")
  while true do
    local wait = nil
    if run and not run.cleaned then wait = math.max(0, run.deadline - otp.monotonic_time()) end
    local m = otp.receive(nil, wait)
    if m == nil then                                    -- the run's time is up
      if run.state == "running" or run.state == "paused" then
        finish("timeout", "the lesson was still running after " .. run.timeout_s .. " s and was stopped")
      end
      clean_up(run)
      notify()
    elseif type(m) == "table" and (m[1] == "$lesson_out" or m[1] == "$lesson_pause") then
      on_lesson_message(m)
    elseif type(m) == "table" and m[1] == "DOWN" then
      on_down(m)
    elseif type(m) == "table" and actions[m[3]] and pcall(otp.is_alive, m[1]) and otp.is_alive(m[1]) then
      local ok, answer = pcall(actions[m[3]], m[4], m[5] or {m[1], m[2]})
      otp.send(m[1], {m[2], ok and answer or {error = tostring(answer)}})
    end
  end
end

return runner
