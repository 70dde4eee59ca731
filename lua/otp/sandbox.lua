-- otp.sandbox: break things safely (API.md section 5).
--
--   otp.sandbox.create("lab", {start = spec_or_fn, max_memory = 8 << 20,
--                              max_processes = 100, max_reductions = 200000})
--   otp.sandbox.run("lab", function() return 6 * 7 end)     --> 42
--   otp.sandbox.destroy("lab")
--
-- A sandbox is a Lua state of its own: its own heap and collector, a
-- restricted library (no io, debug, files, C modules or binary chunks; os has
-- the clock only; collectgarbage("count") only), its own registered names.
-- Values cross into it and out of it by copy, functions as their code and
-- upvalues. Pids are capabilities: a sandbox's process can message a pid it
-- was given, and cannot find one any other way.
--
-- create(name, opts) -> true | nil, reason ("already_exists", or why start failed)
--   opts.start: a function, run as the sandbox's root process, or a
--   supervisor spec: a root supervisor is started inside (create returns when
--   its children have started, like supervisor.start_link). Limits:
--   max_processes (at once), max_memory (bytes, the whole state),
--   max_reductions (per process per second; a reduction is about a
--   microsecond of work), max_timers (send_after/start_timer pending at
--   once; 10000 when not given: a timer beyond it raises "limit: ...");
--   allow = {"io"} / {"os"} gives a library back.
--   A process that crosses a limit is killed with reason {"limit", LIMIT}
--   (a spawn beyond max_processes raises "limit: ...") and the tracer records
--   a limit_killed event.
-- destroy(name[, timeout_ms=5000]) -> true | nil, "not_found"
--   OTP shutdown: the root gets exit "shutdown" (a root supervisor stops its
--   children in reverse order) and timeout_ms to finish, then "kill"; every
--   process left is killed (their links and monitors fire) and the state is
--   closed: all its memory returns.
-- restart(name[, timeout_ms]) -> true | nil, reason: destroy, then the same
--   configuration in a fresh state; info(name).restarts counts them.
-- list() -> names; info(name) -> {name, processes, memory, timers (pending),
--   limits, limit_kills, restarts, uptime_ms, root} | nil, "not_found"
-- spawn(name, fn, ...) -> pid of a process running fn(...) inside.
-- run(name, fn, ...) -> fn's results, or nil, reason if it raised an error
--   (the error value) or died (its exit reason).

local otp = require "otp"
local errors = require "otp.errors"

local sandbox = {}
local core = otp_internal.sandbox_core
local DEFAULT_SHUTDOWN = 5000
local FLUSH = {flush = true}

-- name -> {start = opts.start (kept for restart), top = the process that
-- destroy shuts down: the start function's, or the root supervisor's keeper}
local roots = {}

-- badarg naming the caller `level` levels up from the function calling this.
local function badarg(level, fmt, ...)
  errors.badarg(string.format(fmt, ...), level + 1)
end

local function check_name(fname, name)
  if type(name) ~= "string" or name == "" then
    badarg(3, "%s needs a sandbox name (a non-empty string), got %s", fname, type(name))
  end
  if not core then
    badarg(3, "%s: sandboxes are managed from the host, not from inside a sandbox", fname)
  end
end

local function exists(name)
  for _, n in ipairs(core.list()) do
    if n == name then return true end
  end
  return false
end

-- The root of a sandbox started from a supervisor spec: the supervisor's
-- parent, as OTP's application master is, so that a shutdown reaches the
-- supervisor from its parent (a supervisor ignores exit signals from
-- strangers, rule C14) and the root ends only when the tree is down.
-- (keeper and runner are fields: a function crosses into a sandbox as the
-- field of a module the sandbox loads itself, see core/xcopy.c)
function sandbox._keeper(spec, owner, tag)
  otp.trap_exit(true)
  local sup, why = otp.supervisor.start_link(spec)
  if not pcall(otp.send, owner, {tag, sup or false, why}) then
    otp.send(owner, {tag, false, tostring(why)})   -- a reason holding a function
  end
  if not sup then return end
  while true do
    local msg = otp.receive({"EXIT"})
    if msg[2] == sup then otp.exit(msg[3]) end      -- the tree gave up
    otp.exit(sup, msg[3])                           -- shutdown from outside
    local down = otp.receive({"EXIT", sup})
    otp.exit(down[3])
  end
end

local function start_root(name, start)
  roots[name] = {start = start}
  if start == nil then return true end
  if type(start) == "function" then
    local pid = core.spawn(name, nil, start)
    core.set_root(name, pid)
    roots[name].top = pid
    return true
  end
  local tag = otp.make_ref()
  local pid, ref = core.spawn(name, {monitor = true}, sandbox._keeper, start, otp.self(), tag)
  local msg = otp.receive(function(m)
    return type(m) == "table" and (m[1] == tag or (m[1] == "DOWN" and m[2] == ref))
  end)
  otp.demonitor(ref, FLUSH)
  if msg[1] == "DOWN" then return nil, msg[5] end
  if not msg[2] then return nil, msg[3] end
  core.set_root(name, msg[2])
  roots[name].top = pid
  return true
end

function sandbox.create(name, opts)
  check_name("otp.sandbox.create", name)
  if opts ~= nil and type(opts) ~= "table" then
    badarg(2, "otp.sandbox.create(name, opts) needs an options table, got %s", type(opts))
  end
  opts = opts or {}
  local start = opts.start
  if start ~= nil and type(start) ~= "function" and type(start) ~= "table" then
    badarg(2, "sandbox option start must be a function or a supervisor spec, got %s",
           type(start))
  end
  local ok, err = core.open(name, opts)
  if not ok then return nil, err end
  local started, why = start_root(name, start)
  if not started then
    core.destroy(name)
    roots[name] = nil
    return nil, why
  end
  return true
end

-- Stops the root the OTP way: shutdown, then kill after timeout_ms.
local function stop_root(name, timeout)
  local root = roots[name] and roots[name].top
  if not root or not otp.is_alive(root) then return end
  local ref = otp.monitor(root)
  otp.exit(root, "shutdown")
  if not otp.receive({"DOWN", ref}, timeout) then
    otp.exit(root, "kill")
    otp.receive({"DOWN", ref})
  end
end

local function check_timeout(timeout)
  if timeout ~= nil and (math.type(timeout) ~= "integer" or timeout < 0) then
    badarg(3, "a shutdown timeout must be a number of milliseconds >= 0, got %s",
           tostring(timeout))
  end
  return timeout or DEFAULT_SHUTDOWN
end

function sandbox.destroy(name, timeout)
  check_name("otp.sandbox.destroy", name)
  timeout = check_timeout(timeout)
  if not exists(name) then return nil, "not_found" end
  stop_root(name, timeout)
  core.destroy(name)
  roots[name] = nil
  return true
end

function sandbox.restart(name, timeout)
  check_name("otp.sandbox.restart", name)
  timeout = check_timeout(timeout)
  if not exists(name) then return nil, "not_found" end
  stop_root(name, timeout)
  core.reopen(name)
  return start_root(name, roots[name] and roots[name].start)
end

function sandbox.list()
  if not core then return {} end
  return core.list()
end

function sandbox.info(name)
  check_name("otp.sandbox.info", name)
  if not exists(name) then return nil, "not_found" end
  return core.info(name)
end

function sandbox.spawn(name, fn, ...)
  check_name("otp.sandbox.spawn", name)
  return (core.spawn(name, nil, fn, ...))
end

function sandbox._runner(caller, tag, fn, ...)
  local r = table.pack(pcall(fn, ...))
  otp.send(caller, {tag, r})
end

function sandbox.run(name, fn, ...)
  check_name("otp.sandbox.run", name)
  if type(fn) ~= "function" then
    badarg(2, "otp.sandbox.run(name, fn, ...) needs a function, got %s", type(fn))
  end
  local tag = otp.make_ref()
  local _, ref = core.spawn(name, {monitor = true}, sandbox._runner, otp.self(), tag, fn, ...)
  local msg = otp.receive(function(m)
    return type(m) == "table" and (m[1] == tag or (m[1] == "DOWN" and m[2] == ref))
  end)
  if msg[1] == "DOWN" then return nil, msg[5] end
  otp.demonitor(ref, FLUSH)
  local r = msg[2]
  if not r[1] then return nil, r[2] end
  return table.unpack(r, 2, r.n)
end

return sandbox
