-- otp.console.helpers: the globals of the console and of pause()d lessons
-- (API.md section 8): help, demo, tree, sups, ps, info, kill, trace,
-- untrace, history, flush, pp, c, lessons, lesson. Each says how to call it
-- when called wrongly (a `badarg:` error with its usage line).

local otp = require "otp"
local tree = require "otp.console.tree"
local supervisor = require "otp.supervisor"
local analytics = otp.analytics

local helpers = {}

local USAGE = {
  help = {"help([name])", "the helpers and the otp modules; help(\"kill\") for one"},
  demo = {"demo()", "starts the demo tree (demo_sup) if it is not running; returns its pid"},
  tree = {"tree([sup])", "every supervision tree (or sup's): ids, pids, strategies, restarts, budgets"},
  sups = {"sups()", "every supervisor: name, pid, strategy, children, restarts, budget"},
  ps = {"ps([{sort = \"memory\"|\"reductions\"|\"mailbox\", n = 20}])", "the top processes"},
  info = {"info(p)", "a process's info; p is a pid, a registered name or \"0.3.0\""},
  kill = {"kill(p[, reason = \"kill\"])", "sends an exit signal and says what followed"},
  trace = {"trace(p)", "prints p's events as they happen, until untrace()"},
  untrace = {"untrace()", "stops what trace() started"},
  history = {"history(sup)", "the supervisor's restart history, oldest first"},
  flush = {"flush()", "prints and removes the shell's messages"},
  pp = {"pp(v)", "prints v with otp.inspect"},
  c = {"c(path)", "runs a Lua file in the shell (its globals become the shell's)"},
  lessons = {"lessons()", "lists the lessons"},
  lesson = {"lesson(n)", "runs lesson n here, pausing after every step (continue() goes on)"},
}
local ORDER = {"help", "demo", "tree", "sups", "ps", "info", "kill", "trace", "untrace",
               "history", "flush", "pp", "c", "lessons", "lesson"}

local function usage(name, problem)
  -- no "(at file:line)": the caller is what was just typed
  error(string.format("badarg: %s; usage: %s -- %s", problem, USAGE[name][1], USAGE[name][2]), 0)
end

-- A pid from a pid, a registered name or "0.3.0" / "<0.3.0>".
local function resolve(name, p)
  if type(p) == "userdata" then return p end
  if type(p) ~= "string" then usage(name, "a pid, a registered name or \"0.3.0\" is needed, got " .. type(p)) end
  local pid = otp.whereis(p)
  if pid then return pid end
  if p:match("^<?%d+%.%d+%.%d+>?$") then
    local ok, parsed = pcall(otp.pid, p:sub(1, 1) == "<" and p or "<" .. p .. ">")
    if ok and parsed then return parsed end
  end
  usage(name, string.format("no process is registered as %q", p))
end

local function print_lines(lines) for _, l in ipairs(lines) do print(l) end end

local function serial(pid) return tonumber(tostring(pid):match("^<%d+%.(%d+)")) or 0 end

function helpers.help(name)
  if name ~= nil then
    local u = USAGE[name]
    if u then print(u[1] .. "\n  " .. u[2]) return end
    if type(otp[name]) == "table" or type(otp[name]) == "function" then
      print(string.format("otp.%s: see API.md; Tab after `otp.%s.` lists its functions", name, name))
      return
    end
    usage("help", "there is no helper or otp module called " .. tostring(name))
  end
  print("Helpers:")
  for _, n in ipairs(ORDER) do print(string.format("  %-28s %s", USAGE[n][1], USAGE[n][2])) end
  print("The otp modules (Tab completes them): otp.spawn, send, receive, link, monitor, exit,")
  print("  otp.supervisor, gen_server, dynamic_supervisor, sys, task, trace, analytics,")
  print("  sandbox, code, inspect. Ctrl-C stops an evaluation, Ctrl-D leaves.")
end

function helpers.demo()
  local root, err = require("otp.demo").start()
  if not root then error("the demo tree did not start: " .. otp.inspect(err), 2) end
  otp.unlink(root)         -- the tree outlives the shell (Ctrl-C, a crash)
  return root
end

function helpers.tree(sup)
  if sup ~= nil then
    local pid = resolve("tree", sup)
    local lines = tree.lines(pid)
    if not lines then usage("tree", tostring(sup) .. " is not a running supervisor") end
    print_lines(lines)
    return
  end
  local lines = tree.lines()
  if #lines == 0 then print("no supervisor is running (demo() starts the demo tree)") end
  print_lines(lines)
end

function helpers.sups() print_lines(tree.sups_lines()) end

local SORT_KEYS = {memory = "memory", reductions = "reductions", mailbox = "message_queue_len"}

function helpers.ps(opts)
  if opts ~= nil and type(opts) ~= "table" then usage("ps", "options must be a table") end
  opts = opts or {}
  local key = SORT_KEYS[opts.sort or "reductions"]
  if not key then usage("ps", "sort must be \"memory\", \"reductions\" or \"mailbox\", got " .. tostring(opts.sort)) end
  local n = opts.n or 20
  if math.type(n) ~= "integer" or n < 1 then usage("ps", "n must be a positive integer") end
  local rows = {}
  for _, pid in ipairs(otp.processes()) do
    local i = otp.process_info(pid)
    if i then i.pid = pid rows[#rows + 1] = i end
  end
  table.sort(rows, function(a, b)
    if a[key] ~= b[key] then return a[key] > b[key] end
    return serial(a.pid) < serial(b.pid)
  end)
  print(string.format("%-10s %-16s %-9s %7s %11s %9s  %s", "pid", "name", "status", "mailbox",
                      "reductions", "memory", "where"))
  for i = 1, math.min(n, #rows) do
    local r = rows[i]
    local where = tostring(r.current_location or ""):gsub("^.*/", "")
    print(string.format("%-10s %-16s %-9s %7d %11d %9d  %s", tostring(r.pid),
                        (r.registered_name or r.label or ""):sub(1, 16), r.status,
                        r.message_queue_len, r.reductions, r.memory, where:sub(1, 20)))
  end
  if #rows > n then print(string.format("... %d more processes (ps{n = %d})", #rows - n, #rows)) end
end

function helpers.info(p)
  local pid = resolve("info", p)
  local i = otp.process_info(pid)
  if not i then print(tostring(pid) .. " is not alive") return end
  print(otp.inspect(i))
end

-- The supervisor restart or shutdown that followed pid's exit, from a trace
-- session, waiting at most five seconds (it returns as soon as it knows;
-- a loaded machine can take a while); returns the line that says it.
-- id -> pid of sup's children (nil if sup does not answer as a supervisor).
local function child_pids(sup)
  local ok, list = pcall(supervisor.which_children, sup)
  if not ok or type(list) ~= "table" then return nil end
  local pids = {}
  for _, c in ipairs(list) do pids[tostring(c.id)] = c.pid end
  return pids
end

-- ", and with it consumer <0.11.0> -> <0.16.0>" for the other children a
-- group strategy restarted, in start order ("" when there are none).
local function siblings_restarted(sup, before, killed_id)
  local ok, list = pcall(supervisor.which_children, sup)
  if not before or not ok or type(list) ~= "table" then return "" end
  local moved = {}
  for i = #list, 1, -1 do                -- which_children lists the newest first
    local id, now = tostring(list[i].id), list[i].pid
    if id ~= killed_id and before[id] and before[id] ~= now then
      moved[#moved + 1] = string.format("%s %s -> %s", id, tostring(before[id]), tostring(now))
    end
  end
  return #moved > 0 and ", and with it " .. table.concat(moved, ", ") or ""
end

local function what_followed(session, pid, shown, supervised, before)
  local deadline = otp.monotonic_time() + 5000
  local died
  while otp.monotonic_time() < deadline do
    for _, e in ipairs(session:events()) do
      if e.kind == "exit" and e.pid == pid then died = died or e end
      if died and e.kind == "sup_restart" and e.old_pid == pid then
        local also = e.strategy ~= "one_for_one" and siblings_restarted(e.pid, before, tostring(e.id))
                     or ""
        return string.format("%s killed; %s restarted it as %s in %d us%s", shown,
                             e.pid_name or tostring(e.pid), tostring(e.new_pid), e.t_us - died.t_us,
                             also ~= "" and also .. " (" .. e.strategy .. ")" or "")
      end
      if died and e.kind == "sup_shutdown" then
        return string.format("%s killed; %s reached its restart limit and shut down", shown,
                             e.pid_name or tostring(e.pid))
      end
    end
    if died and not supervised then
      return string.format("%s exited (%s); no supervisor restarts it", shown,
                           otp.inspect(died.reason))
    end
    otp.sleep(1)
  end
  if not died then
    return string.format("%s is still alive (it traps exits: the signal arrived as a message)", shown)
  end
  return string.format("%s exited (%s); nothing restarted it within a second", shown,
                       otp.inspect(died.reason))
end

function helpers.kill(p, reason)
  local pid = resolve("kill", p)
  if reason == nil then reason = "kill" end
  if not otp.is_alive(pid) then print(tostring(pid) .. " is not alive") return end
  local shown = (type(p) == "string" and not p:match("^<?%d") and p .. " " or "") .. tostring(pid)
  local parent = otp.process_info(pid, "parent")
  local supervised = false
  for _, s in ipairs(analytics.stats()) do
    if parent and s.sup == parent then supervised = true end
  end
  local before = supervised and child_pids(parent)
  local session = otp.trace.start{pids = "all", kinds = {"exit", "sup_restart", "sup_shutdown"}}
  otp.exit(pid, reason)
  local ok, line = pcall(what_followed, session, pid, shown, supervised, before)
  session:stop()
  if not ok then error(line, 0) end
  print(line)
end

-- The trace() running, if any: one console per node, and a restarted shell
-- must still be able to untrace() what the previous one started.
local tracing

function helpers.trace(p)
  local pid = resolve("trace", p)
  helpers.untrace()
  local printer = otp.spawn(function()
    otp.set_label("console trace")
    while true do
      local m = otp.receive()
      if type(m) == "table" and m[1] == "trace" then
        local e = m[2]
        e.seq = nil
        print("[trace] " .. otp.inspect(e, {width = 200}))
      end
    end
  end)
  tracing = {session = otp.trace.start{pids = {pid}, to = printer}, printer = printer}
  print(string.format("tracing %s; untrace() stops", tostring(pid)))
end

function helpers.untrace()
  if not tracing then return end
  tracing.session:stop()
  otp.exit(tracing.printer, "kill")
  tracing = nil
end

function helpers.history(sup)
  if sup == nil then usage("history", "which supervisor?") end
  local pid = resolve("history", sup)
  local ok, list = pcall(analytics.restart_history, pid)
  if not ok then usage("history", tostring(sup) .. " is not a supervisor") end
  if #list == 0 then print("no restarts yet") return end
  for _, r in ipairs(list) do
    print(string.format("%8d ms  %-12s %s -> %s  %s", r.t_ms, tostring(r.id), tostring(r.old_pid),
                        tostring(r.new_pid), otp.inspect(r.reason)))
  end
end

function helpers.flush()
  while true do
    local m = otp.receive(nil, 0)
    if m == nil then return end
    print("Shell got " .. otp.inspect(m))
  end
end

function helpers.pp(v) print(otp.inspect(v)) end

-- Runs the file at path with the calling process's globals (the shell's).
function helpers.run_file(path)
  local f, err = loadfile(path, "t")
  if not f then print("error: " .. err) return end
  local ok, e = pcall(f)
  if not ok then
    if type(e) == "table" and e[1] == "EXIT" then error(e, 0) end
    print("error: " .. tostring(e))
  end
end

local function repo_root()
  local found = package.searchpath and package.searchpath("otp.demo", package.path)
  return found and found:gsub("lua/otp/demo%.lua$", "") or ""
end

local function lesson_files()
  local dir
  for _, d in ipairs({"lessons", repo_root() .. "lessons"}) do
    local h = io.popen('ls "' .. d .. '" 2>/dev/null')
    local list = {}
    if h then
      for f in h:lines() do if f:match("^%d+.*%.lua$") then list[#list + 1] = f end end
      h:close()
    end
    if #list > 0 then dir = d table.sort(list) return dir, list end
  end
  return nil, {}
end

local function lesson_title(path)
  local h = io.open(path)
  if not h then return "" end
  local first = h:read("l") or ""
  h:close()
  return (first:gsub("^%-%-+%s*", ""))
end

function helpers.lessons()
  local dir, list = lesson_files()
  if not dir then print("no lessons/ folder found") return end
  for i, f in ipairs(list) do print(string.format("%2d  %s", i, lesson_title(dir .. "/" .. f))) end
  print("lesson(n) runs one here")
end

function helpers.lesson(n)
  local dir, list = lesson_files()
  if math.type(n) ~= "integer" or not list[n] then
    usage("lesson", string.format("n must be a lesson number from 1 to %d (lessons() lists them)", #list))
  end
  helpers.run_file(dir .. "/" .. list[n])
end

function helpers.c(path)
  if type(path) ~= "string" then usage("c", "a file path is needed, got " .. type(path)) end
  helpers.run_file(path)
end

--- install(globals): the helpers become globals of the shell.
function helpers.install(globals)
  for _, name in ipairs(ORDER) do globals[name] = helpers[name] end
end

return helpers
