-- otp.supervisor: OTP's supervisor (API.md section 3, OTP_RULES.md part C).
--
--   local sup = otp.supervisor.start_link{
--     strategy = "one_for_all", intensity = 3, period = 5,   -- the defaults:
--     children = {                                          -- one_for_one, 3, 5
--       {id = "db", start = {db.start_link, "localhost"}},
--       {id = "cache", start = {cache_module, 100}, shutdown = 2000},
--     },
--   }
--
-- start_link(spec) -> pid | nil, reason; spec = {strategy=, intensity=,
--   period=, auto_shutdown=, children=, name=}. The supervisor starts every
--   child in order before start_link returns. Errors are OTP's terms, e.g.
--   {"shutdown", {"failed_to_start_child", id, reason}},
--   {"supervisor_data", {"invalid_strategy", s}},
--   {"start_spec", {"duplicate_child_name", id}}, {"already_started", pid};
--   as in OTP 26 no {"EXIT", ...} reaches the caller when start fails, and
--   a sentence saying what was wrong goes to the log.
-- start_link(module, args[, opts]) (OTP's form): module.init(args) returns
--   "ok", spec | "ignore"; opts.name registers the supervisor.
-- A child spec: {id=, start={fn_or_module, args...}, restart="permanent"|
--   "transient"|"temporary", shutdown=ms|"brutal_kill"|"infinity",
--   type="worker"|"supervisor", significant=false, modules=}. start calls
--   fn(args...) or module.start_link(args...) IN THE SUPERVISOR, which must
--   return a pid linked to it (otp.spawn_link, gen_server.start_link ...),
--   nil, "ignore", or nil, reason. An error raised by it is the reason
--   {"EXIT", {"error", e, traceback}} (OTP's catch), an exit raised is
--   {"EXIT", reason}; returning anything else is reason that value (and
--   returning nothing is "undefined").
--
-- which_children(sup)      newest first: {id=, pid=pid|"undefined"|
--                          "restarting", type=, modules=}
-- count_children(sup)      {specs=, active=, supervisors=, workers=}
-- start_child(sup, spec)   pid | nil, reason ({"already_started", pid},
--                          "already_present", a spec error, {reason, spec}
--                          when the start failed; "ignore" for OTP's
--                          {ok, undefined})
-- terminate_child(sup, id) true | nil, "not_found"
-- restart_child(sup, id)   true, pid (just true if the start said ignore) |
--                          nil, "running" | "restarting" | "not_found" | reason
-- delete_child(sup, id)    true | nil, "running" | "restarting" | "not_found"
-- get_childspec(sup, id)   the spec with every field filled in | nil, "not_found"
-- set_strategy(sup, strategy[, intensity[, period]]) -> true | nil, reason
--   otplab's teaching extension: OTP cannot change a running supervisor's
--   strategy. The restarts already counted stay counted.
-- A dead supervisor makes these exit {"noproc", {"gen_server", "call",
-- {sup, request, "infinity"}}}, as in OTP.
--
-- Trace events (otp.trace, kinds sup_*), pid = the supervisor:
--   sup_start_child      a start function returned: id=, child= (the new pid),
--                        or reason= ("ignore" or why it failed)
--   sup_terminate_child  the supervisor stopped a child: id=, child=, reason=
--                        (how it ended: "shutdown", "killed" after its time...)
--   sup_restart          one automatic restart (one per failure: one counted
--                        against the intensity), after it ran: id=, old_pid=,
--                        new_pid= (absent if the start failed: a retry
--                        follows), reason= (the exit reason, or for a retry the
--                        start error), strategy=
--   sup_shutdown         the supervisor gives up on its own: id=, old_pid= (the
--                        child that caused it), reason=
--                        "reached_max_restart_intensity" | "auto_shutdown",
--                        strategy=
-- Supervisor reports (child_terminated, start_error, shutdown_error,
-- reached_max_restart_intensity) are logged at level "error", in words.
--
-- The decisions (which child to start or stop next, restart intensity, what
-- to reply) are made in C (runtime/otp/supervisor.c); this file is the
-- supervisor process that carries them out and talks to the world:
--   calls    {"$gen_call", {caller, alias}, request}, replies {alias, reply}
--            requests: "which_children", "count_children", {"start_child",
--            spec}, {"terminate_child", id}, {"restart_child", id},
--            {"delete_child", id}, {"get_childspec", id}, {"set_strategy",
--            strategy, intensity, period}; replies are OTP's ("ok",
--            {"ok", pid}, {"error", reason}, lists, counts)
--   retries  {"$gen_cast", {"try_again_restart", id}} to itself (C10)
--   system   {"$system", from, req} through otp.sys (get_state returns a
--            snapshot; replace_state can change strategy/intensity/period)
-- Messages carrying child specs hold functions: they travel with
-- the internal machine's deliver, which copies them the way spawn does.

local otp = require "otp"
local sys = require "otp.sys"

local supervisor = {}

local core = otp_internal.supervisor_core
local deliver, is_pid, start_error = core.deliver, core.is_pid, core.start_error
local handle_system, event = sys.handle_system, sys.event
local unpack = table.unpack

local ALIAS = {alias = true}        -- constant option tables, never mutated
local FLUSH = {flush = true}

local errors = require "otp.errors"
local badarg = errors.badarg   -- "badarg: ... (at file:line)"

local SPEC_KEYS = {
  supervisor = {"strategy", "intensity", "period", "auto_shutdown", "children", "name"},
  dynamic_supervisor = {"strategy", "intensity", "period", "max_children", "extra_arguments",
                        "name"},
}
local CHILD_KEYS = {"id", "start", "restart", "shutdown", "type", "significant", "modules"}

-- A child spec's keys, and the shape of a list of them (level: as badarg).
local function check_child(spec, what, level)
  if type(spec) == "table" then errors.check_keys(spec, CHILD_KEYS, what, level + 1) end
end

local function check_children(children, fname, level)
  if children == nil then return end
  if type(children) ~= "table" then
    badarg(fname .. "'s children must be a list of child specs, got " .. type(children), level + 1)
  end
  if children.id ~= nil or children.start ~= nil then
    badarg(fname .. "'s children must be a list of child specs, got one spec: write " ..
           "children = {{id = ..., start = ...}}", level + 1)
  end
  for k in next, children do
    if math.type(k) ~= "integer" then
      badarg(fname .. "'s children must be a list of child specs; it has the key " ..
             tostring(k), level + 1)
    end
  end
  for i, c in ipairs(children) do
    check_child(c, fname .. "'s child spec children[" .. i .. "]", level + 1)
  end
end

---------------------------------------------------------------------------
-- Caller side
---------------------------------------------------------------------------

-- gen_server's call, through deliver (a request may hold a start function).
-- Waits forever, as OTP's supervisor calls do.
local function call(sup, request, fname)
  local pid = sup
  if type(sup) == "string" then pid = otp.whereis(sup)
  elseif not is_pid(sup) then
    badarg(fname .. " needs a supervisor (a pid or a registered name), got " .. type(sup), 3)
  end
  local args = {sup, request, "infinity"}
  if pid == nil then otp.exit({"noproc", {"gen_server", "call", args}}) end
  local self = otp.self()
  if pid == self then otp.exit({"calling_self", {"gen_server", "call", args}}) end
  local mref = otp.monitor(pid, ALIAS)
  deliver(pid, {"$gen_call", {self, mref}, request})
  local msg = otp.receive(function(m)
    return type(m) == "table" and (m[1] == mref or (m[1] == "DOWN" and m[2] == mref))
  end)
  if msg[1] == mref then
    otp.demonitor(mref, FLUSH)
    return msg[2]
  end
  otp.exit({msg[5], {"gen_server", "call", args}})
end

local function ok_or_error(r)
  if r == "ok" then return true end
  if type(r) == "table" and r[1] == "error" then return nil, r[2] end
  return nil, {"bad_reply", r}
end

function supervisor.which_children(sup)
  return call(sup, "which_children", "supervisor.which_children")
end

function supervisor.count_children(sup)
  return call(sup, "count_children", "supervisor.count_children")
end

function supervisor.start_child(sup, spec)
  check_child(spec, "supervisor.start_child's child spec", 2)
  local r = call(sup, {"start_child", spec}, "supervisor.start_child")
  if type(r) == "table" and r[1] == "ok" then
    if r[2] == "undefined" then return nil, "ignore" end
    return r[2]
  end
  return ok_or_error(r)
end

function supervisor.terminate_child(sup, id)
  return ok_or_error(call(sup, {"terminate_child", id}, "supervisor.terminate_child"))
end

function supervisor.restart_child(sup, id)
  local r = call(sup, {"restart_child", id}, "supervisor.restart_child")
  if type(r) == "table" and r[1] == "ok" then
    if r[2] == "undefined" then return true end
    return true, r[2]
  end
  return ok_or_error(r)
end

function supervisor.delete_child(sup, id)
  return ok_or_error(call(sup, {"delete_child", id}, "supervisor.delete_child"))
end

function supervisor.get_childspec(sup, id)
  local r = call(sup, {"get_childspec", id}, "supervisor.get_childspec")
  if type(r) == "table" and r[1] == "ok" then return r[2] end
  return ok_or_error(r)
end

function supervisor.set_strategy(sup, strategy, intensity, period)
  return ok_or_error(call(sup, {"set_strategy", strategy, intensity, period},
                          "supervisor.set_strategy"))
end

---------------------------------------------------------------------------
-- The supervisor process: carrying out what the machine decides
---------------------------------------------------------------------------

-- Calls a child's start function: returns a pid, or nil and a reason.
local function run_start(start, extra)
  local f = start[1]
  if type(f) ~= "function" then f = f.start_link end      -- {module, args...}
  local r
  if extra then
    local args = {unpack(extra)}
    for i = 2, #start do args[#args + 1] = start[i] end
    r = table.pack(xpcall(f, start_error, unpack(args, 1, #args)))
  else
    r = table.pack(xpcall(f, start_error, unpack(start, 2)))
  end
  if not r[1] then return nil, r[2] end
  local v = r[2]
  if is_pid(v) then return v end
  if v == nil then return nil, r[3] end    -- nil, "ignore" | nil, reason
  return nil, v                            -- anything else: OTP's {error, What}
end

-- Stops one child (C12): monitor it; brutal_kill: exit kill; a timeout:
-- exit shutdown, wait that long for the DOWN, then exit kill; infinity:
-- exit shutdown and wait. Then unlink and take its EXIT (whose reason is
-- the truth if the child was already dead: the monitor then says noproc).
local function stop_child(pid, shutdown)
  local mref = otp.monitor(pid)
  local pattern = {"DOWN", mref}
  local down, killed = nil, false         -- killed: this supervisor sent kill
  if shutdown == "brutal_kill" then
    otp.exit(pid, "kill")
    killed = true
    down = otp.receive(pattern)
  else
    otp.exit(pid, "shutdown")
    if shutdown == "infinity" then
      down = otp.receive(pattern)
    else
      down = otp.receive(pattern, shutdown)
      if down == nil then
        otp.exit(pid, "kill")
        killed = true
        down = otp.receive(pattern)
      end
    end
  end
  otp.unlink(pid)
  local ex = otp.receive({"EXIT", pid}, 0)
  if ex then return ex[3], killed end
  return down[5], killed
end

-- Stops children in parallel (C13, Elixir's terminate_children): each is
-- monitored and unlinked; one already dead (its EXIT is here) is only
-- reported; the others get exit shutdown (or kill) at once, and one timer
-- per shutdown value kills whoever is still alive when it fires.
-- Returns {{pid, reason, early, killed}...}: killed when this supervisor
-- sent the kill.
local function stop_children(list)
  local results, pending, n, by_time, killed_here = {}, {}, 0, {}, {}
  for i = 1, #list do
    local pid, shutdown = list[i][1], list[i][2]
    local mref = otp.monitor(pid)
    otp.unlink(pid)
    local ex = otp.receive({"EXIT", pid}, 0)
    if ex then
      otp.receive({"DOWN", mref})
      results[#results + 1] = {pid, ex[3], true}
    else
      if shutdown == "brutal_kill" then
        otp.exit(pid, "kill")
        killed_here[pid] = true
      else
        otp.exit(pid, "shutdown")
        if shutdown ~= "infinity" then
          local pids = by_time[shutdown]
          if not pids then pids = {}; by_time[shutdown] = pids end
          pids[#pids + 1] = pid
        end
      end
      pending[mref] = pid
      n = n + 1
    end
  end
  local timers, self = {}, otp.self()
  for t, pids in pairs(by_time) do timers[otp.start_timer(t, self, "kill")] = pids end
  while n > 0 do
    local m = otp.receive(function(m)
      if type(m) ~= "table" then return false end
      if m[1] == "DOWN" then return pending[m[2]] ~= nil end
      return m[1] == "timeout" and timers[m[2]] ~= nil
    end)
    if m[1] == "DOWN" then
      pending[m[2]] = nil
      n = n - 1
      results[#results + 1] = {m[4], m[5], false, killed_here[m[4]] == true}
    else
      for _, pid in ipairs(timers[m[2]]) do
        otp.exit(pid, "kill")
        killed_here[pid] = true
      end
      timers[m[2]] = nil
    end
  end
  for tref in pairs(timers) do
    otp.cancel_timer(tref)
    otp.receive({"timeout", tref}, 0)
  end
  return results
end

local function reply(st, from, value)
  if type(from) ~= "table" then return end
  deliver(from[2], {from[2], value})
  if st.hooks.debug then event(st.hooks, "out", value, from[1], "supervisor") end
end

-- Carries out the machine's operations until it has nothing to do.
local function drive(st)
  local m = st.machine
  while true do
    local op, a, b = m:next()
    if op == nil then return end
    if op == "start" then
      m:started(run_start(a, b))
    elseif op == "terminate" then
      m:terminated(stop_child(a, b))
    elseif op == "terminate_all" then
      m:terminated_all(stop_children(a))
    elseif op == "retry" then
      otp.send(otp.self(), a)
    elseif op == "reply" then
      local from = st.from
      st.from = nil
      reply(st, from, a)
    elseif op == "init_ok" then
      st.started = true
    elseif op == "exit" then
      st.exit(a)
    end
  end
end

-- Crashes the way a gen_server callback without a matching clause does:
-- the children are terminated, then the supervisor exits with the reason.
local function crash(st, reason)
  st.machine:stop(reason)
  drive(st)
end

local function handle_call(st, from, req, module)
  local m = st.machine
  local kind = type(req) == "table" and req[1] or req
  if kind == "which_children" then
    reply(st, from, m:which_children())
  elseif kind == "count_children" then
    reply(st, from, m:count_children())
  elseif kind == "start_child" then
    local ok, err = m:start_child(req[2])
    if not ok then return reply(st, from, {"error", err}) end
    st.from = from
    drive(st)
  elseif kind == "terminate_child" then
    st.from = from
    m:terminate_child(req[2])
    drive(st)
  elseif kind == "restart_child" and module == "supervisor" then
    st.from = from
    m:restart_child(req[2])
    drive(st)
  elseif kind == "delete_child" and module == "supervisor" then
    st.from = from
    m:delete_child(req[2])
    drive(st)
  elseif kind == "get_childspec" and module == "supervisor" then
    reply(st, from, m:get_childspec(req[2]))
  elseif kind == "set_strategy" and module == "supervisor" then
    reply(st, from, m:set_strategy(req[2], req[3], req[4]))
  else
    crash(st, {"function_clause", {module, "handle_call", {req, from}}})
  end
end

local traceback = debug and debug.traceback

-- An error raised in the supervisor's own code: {"error", e, traceback}, the
-- reason a gen_server would exit with.
local function as_error(e)
  return {"error", e, traceback and traceback(nil, 2) or ""}
end

-- The receive loop of a running supervisor (static or dynamic).
local function loop(st, module)
  local m, hooks = st.machine, st.hooks
  local dynamic = module ~= "supervisor"
  while true do
    -- A crash injected with otp.fault.crash is raised by receive: the
    -- supervisor shuts its children down before it exits, as OTP's would.
    local ok, msg = xpcall(otp.receive, as_error)
    if not ok then crash(st, msg) end
    if hooks.debug then event(hooks, "in", msg) end
    local tag = type(msg) == "table" and msg[1]
    if tag == "EXIT" then
      m:exit_signal(msg[2], msg[3])
      drive(st)
    elseif tag == "$gen_call" and type(msg[2]) == "table" then
      handle_call(st, msg[2], msg[3], module)
    elseif tag == "$system" then
      handle_system(msg, hooks)
    elseif tag == "$gen_restart" and dynamic then
      m:retry(msg[2])                               -- {"$gen_restart", old_pid}
      drive(st)
    elseif tag == "$gen_cast" then
      local c = msg[2]
      if not dynamic and type(c) == "table" and c[1] == "try_again_restart" and c[3] == nil then
        m:retry(c[2])
        drive(st)
      else
        crash(st, {"function_clause", {module, "handle_cast", {c}}})
      end
    else
      m:unexpected(msg)
    end
  end
end

-- The supervisor process: init (as OTP's gen_server init_it + supervisor
-- init), then the loop. how = {spec=} or {mod=, args=}, plus name, module
-- ("supervisor" or "dynamic_supervisor"), new (the machine constructor).
local function main(how, starter)
  otp.trap_exit(true)
  local self = otp.self()
  local name, module = how.name, how.module
  local function fail(ret, reason)        -- OTP 26: unlink, tell, exit
    if name ~= nil and otp.whereis(name) == self then otp.unregister(name) end
    otp.unlink(starter)
    deliver(starter, {"nack", self, ret})  -- a spec error may hold a function
    otp.exit(reason)
  end
  if name ~= nil then
    while not pcall(otp.register, name, self) do
      local holder = otp.whereis(name)
      if holder ~= nil then fail({"error", {"already_started", holder}}, "normal") end
    end
  end
  if name ~= nil then otp.set_label(name) end
  otp._set_initial_call(module .. ":init/1")   -- "supervisor" or "dynamic_supervisor"
  local spec = how.spec
  if how.mod ~= nil then                  -- module.init(args)
    local r = table.pack(xpcall(how.mod.init, start_error, how.args))
    if not r[1] then
      local reason = r[2][2]              -- {"EXIT", reason}: what the crash was
      fail({"error", reason}, reason)
    end
    if r[2] == "ok" and type(r[3]) == "table" and r.n == 3 then
      spec = r[3]
    elseif r[2] == "ignore" and r.n == 2 then
      fail("ignore", "normal")
    else
      local modname = type(how.mod.name) == "string" and how.mod.name or "module"
      local bad = {"bad_return", {modname, "init", {unpack(r, 2, r.n)}}}
      fail({"error", bad}, bad)
    end
  end
  local m, err = core[how.new](spec, starter)
  if not m then fail({"error", err}, err) end
  local st = {machine = m, from = nil, started = false}
  st.exit = function(reason)
    if not st.started then fail({"error", reason}, reason) end
    otp.exit(reason)
  end
  st.hooks = {
    name = module,
    parent = starter,
    get_state = function() return m:get_state() end,
    set_state = function(v)
      if type(v) ~= "table" then error("a supervisor's state is a table", 0) end
      local r = m:set_strategy(v.strategy, v.intensity, v.period)
      if r ~= "ok" then error(r[2], 0) end
    end,
    status = function() return {state = m:get_state()} end,
    terminate = function(reason) crash(st, reason) end,
  }
  m:begin()
  drive(st)
  st.started = true
  otp.send(starter, {"ack", self, {"ok", self}})
  return loop(st, module)
end

-- Spawns the supervisor and waits for its init (as gen_server.start_link).
local function start_link(how)
  local self = otp.self()
  local pid, mref = otp.spawn_opt(main, {link = true, monitor = true}, how, self)
  local msg = otp.receive(function(m)
    if type(m) ~= "table" then return false end
    local tag = m[1]
    return ((tag == "ack" or tag == "nack") and m[2] == pid) or (tag == "DOWN" and m[2] == mref)
  end)
  local tag = msg[1]
  if tag == "ack" then
    otp.demonitor(mref, FLUSH)
    return pid
  end
  otp.unlink(pid)
  otp.receive({"EXIT", pid}, 0)
  if tag == "nack" then
    otp.receive({"DOWN", mref})           -- dead, and its name free, when we return
    local ret = msg[3]
    if ret == "ignore" then return nil, "ignore" end
    return nil, ret[2]
  end
  return nil, msg[5]                      -- it died before answering
end

-- start_link(spec) or start_link(module, args[, opts]) for `module`
-- ("supervisor" or "dynamic_supervisor") built by core[new].
local function start(module, new, fname, a, b, c)
  local how = {module = module, new = new}
  if type(a) == "table" and type(a.init) == "function" then
    how.mod, how.args = a, b
    if c ~= nil and type(c) ~= "table" then
      badarg(fname .. "'s options must be a table, got " .. type(c), 3)
    end
    how.name = c and c.name
  elseif type(a) == "table" then
    errors.check_keys(a, SPEC_KEYS[module], fname .. "'s spec", 3)
    check_children(a.children, fname, 3)
    how.spec, how.name = a, a.name
  else
    badarg(fname .. " needs a spec table (or a module with init), got " .. type(a), 3)
  end
  if how.name ~= nil and type(how.name) ~= "string" then
    badarg(fname .. "'s name must be a string, got " .. type(how.name), 3)
  end
  return start_link(how)
end

function supervisor.start_link(a, b, c)
  return start("supervisor", "new", "supervisor.start_link", a, b, c)
end

-- For otp.dynamic_supervisor (same process, another machine); library only.
otp_internal.supervisor_driver = {call = call, start = start, loop = loop, ok_or_error = ok_or_error,
                       check_child = check_child}

return supervisor
