-- otp.gen_server: OTP's generic server (API.md section 3), OTP 26 semantics.
--
--   local counter = {name = "counter"}            -- `name` labels the process
--   function counter.init(n) return "ok", n end
--   function counter.handle_call(req, from, n)
--     if req == "get" then return "reply", n, n end
--   end
--   function counter.handle_cast(by, n) return "noreply", n + by end
--   local pid = gen_server.start_link(counter, 0, {name = "counter"})
--   gen_server.cast("counter", 2); gen_server.call("counter", "get")  --> 2
--
-- Callbacks and what they return (several return values, Erlang's tuple):
--   init(args)                 "ok", state[, after] | "stop", reason | "ignore"
--   handle_call(req, from, s)  "reply", reply, s[, after] | "noreply", s[, after]
--                              | "stop", reason, reply, s | "stop", reason, s
--   handle_cast(msg, s), handle_info(msg, s), handle_continue(value, s)
--                              "noreply", s[, after] | "stop", reason, s
--   terminate(reason, s)       optional; its result is ignored
--   code_change(old_vsn, s, extra) -> "ok", new_s    optional
--   format_status(s) -> what get_status and crash reports show   optional
-- `after` is a timeout in ms (no message within it: handle_info("timeout", s)),
-- "infinity", "hibernate" (accepted; the process just waits) or
-- {"continue", value} (handle_continue(value, s) runs before any message).
-- Anything else returned makes the server exit {"bad_return_value", {values}}
-- (the values returned, as an array) with a crash report naming the callback.
--
-- start(mod, args[, opts]) / start_link(...): opts.name registers the server
-- (taken: nil, {"already_started", pid}); opts.timeout (ms, default
-- infinity) bounds init (then the server is killed: nil, "timeout").
-- Returns the pid, or nil and the reason: init's "stop" reason, "ignore", a
-- crash in init {"error", e, traceback}, an exit raised in init. As in OTP
-- 26, a failed start sends NO {"EXIT", ...} to the caller, and the server
-- is dead (and its name free) when start returns. The parent of a
-- start_link'ed server is the caller; a server from start is its own parent.
--
-- call(server, req[, timeout=5000]) -> the reply, or an exit as in OTP:
-- {reason, {"gen_server", "call", args}} with reason "timeout", "noproc"
-- (dead pid, unregistered name), "calling_self", or the reason the server
-- died with during the call; args is {server, req} when no timeout was
-- passed and {server, req, timeout} when one was (OTP's call/2 and call/3).
-- The call monitors the server with an alias (OTP 24+): a reply arriving
-- after the timeout is dropped and never reaches the caller's mailbox.
-- cast(server, msg) -> true, always. reply(from, value) -> true.
-- stop(server[, reason="normal"[, timeout="infinity"]]) -> true once the
-- server ran terminate(reason) and exited; exits "noproc" if it is not
-- alive, "timeout", or with the other reason the server died with.
--
-- Process protocol: calls {"$gen_call", {caller_pid, alias}, req}, replies
-- {alias, reply}, casts {"$gen_cast", msg}, system messages
-- {"$system", from, req} (handled by otp.sys.handle_system).
-- An {"EXIT", parent, reason} (the server traps exits) runs terminate(reason)
-- and exits reason; an EXIT from any other process goes to handle_info.
-- A crash in a callback (error(e)) runs terminate({"error", e, traceback})
-- and exits with that reason; otp.exit(r) in a callback: terminate(r), exit r.
-- Abnormal exits (not "normal", "shutdown", {"shutdown", _}) print a crash
-- report on stderr unless otp.log_level() is "none".
--
-- This module keeps no state: every server keeps its own in its process.

local otp = require "otp"
local sys = require "otp.sys"
local module_name = require "otp.module_name"

local gen_server = {}

local gen_call, gen_reply = sys.gen_call, sys.gen_reply
local handle_system, event = sys.handle_system, sys.event
local traceback = debug and debug.traceback

local DEFAULT_CALL_TIMEOUT = 5000
local FLUSH = {flush = true}
local LINK_MONITOR, MONITOR = {link = true, monitor = true}, {monitor = true}  -- spawn_opt's
local NO_OPTIONS = {}                      -- start's options when none are given; never changed

local badarg = require("otp.errors").badarg   -- "badarg: ... (at file:line)"

---------------------------------------------------------------------------
-- Reports
---------------------------------------------------------------------------

local function fmt(v)
  return require("otp.expect").format(v)
end

local function abnormal(reason)
  return not (reason == "normal" or reason == "shutdown" or
              (type(reason) == "table" and reason[1] == "shutdown"))
end

-- Reports go to stderr; a sandbox has no io, so there they go through otp.log.
local stderr = io and io.stderr
local function write_report(lines)
  local text = table.concat(lines, "\n")
  if stderr then stderr:write(text, "\n") else otp.log("error", text) end
end

local function logging(level)
  local l = otp.log_level()
  if level == "error" then return l ~= "none" end
  return l == "warning" or l == "info" or l == "debug"
end

local EXPECTED = {
  init = '"ok", state[, timeout] | "stop", reason | "ignore"',
  handle_call = '"reply", reply, state[, timeout] | "noreply", state[, timeout] | ' ..
                '"stop", reason, reply, state | "stop", reason, state',
  handle_cast = '"noreply", state[, timeout] | "stop", reason, state',
  handle_info = '"noreply", state[, timeout] | "stop", reason, state',
  handle_continue = '"noreply", state[, timeout] | "stop", reason, state',
}

local function title(S)
  local self = tostring(otp.self())
  if S.label then return self .. " (" .. S.label .. ")" end
  return self
end

-- What get_status and crash reports show: format_status(state) when the
-- module defines it (redaction), else the state. As in OTP (gen.erl), a
-- format_status that raises never lets the raw state through: the state shows
-- as the text "<name>:format_status/1 crashed". sys.get_state is not
-- affected: like OTP's, it returns the raw state (size-capped, see otp.sys).
local function shown_state(S)
  local f = S.mod.format_status
  if f == nil then return S.state end
  local ok, v = pcall(f, S.state)
  if ok then return v end
  local name = type(S.mod.name) == "string" and S.mod.name or "gen_server"
  return name .. ":format_status/1 crashed"
end

local function describe(lines, reason, cb)
  if type(reason) == "table" and reason[1] == "error" and type(reason[3]) == "string" then
    lines[#lines + 1] = "** Reason for termination == a Lua error in " .. (cb or "a callback") ..
                        ": " .. (type(reason[2]) == "string" and reason[2] or fmt(reason[2]))
    if reason[3] ~= "" then lines[#lines + 1] = reason[3] end
  elseif type(reason) == "table" and reason[1] == "bad_return_value" then
    lines[#lines + 1] = "** Reason for termination == " .. fmt(reason)
    local values = reason[2]
    if cb and EXPECTED[cb] and type(values) == "table" then
      local shown = {}
      for i = 1, #values do shown[i] = fmt(values[i]) end
      local what = #shown == 0 and "nothing (a missing `return`?)" or table.concat(shown, ", ")
      lines[#lines + 1] = "** " .. cb .. " returned " .. what ..
                          "; it must return " .. EXPECTED[cb]
    end
  else
    lines[#lines + 1] = "** Reason for termination == " .. fmt(reason)
  end
end

-- OTP's "Generic server terminating" error report, in words.
local function report(S, reason, msg, from, cb)
  if not logging("error") then return end
  local lines = {"=ERROR REPORT==== gen_server " .. title(S) .. " terminating"}
  if msg ~= nil then lines[#lines + 1] = "** Last message in was " .. fmt(msg) end
  lines[#lines + 1] = "** When server state == " .. fmt(shown_state(S))
  describe(lines, reason, cb)
  if from ~= nil and type(from) == "table" then
    lines[#lines + 1] = "** Client " .. tostring(from[1]) .. " was waiting for the reply"
  end
  write_report(lines)
end

local function report_init(S, reason)
  if not logging("error") or not abnormal(reason) then return end
  local lines = {"=CRASH REPORT==== gen_server " .. title(S) .. " failed to start"}
  describe(lines, reason, "init")
  write_report(lines)
end

---------------------------------------------------------------------------
-- The server process
---------------------------------------------------------------------------

local function missing(name)
  return function()
    error("undef: the gen_server callback module has no " .. name .. " function", 0)
  end
end

-- The `after` part of a return: ok, timeout_ms|nil, has_continue, value.
local function parse_after(v)
  if v == nil or v == "infinity" or v == "hibernate" then return true, nil, false end
  if type(v) == "number" and v >= 0 then return true, v, false end
  if type(v) == "table" and v[1] == "continue" then return true, nil, true, v[2] end
  return false
end

-- Runs terminate(reason, state), reports, sends a pending reply (after
-- terminate, as OTP does), then exits. Never returns.
local function terminate(S, reason, msg, from, cb, has_reply, reply)
  local final = reason
  local f = S.mod.terminate
  if f ~= nil then
    local ok, r = xpcall(f, S.handler, reason, S.state)
    if not ok then
      final = r
      report(S, r, msg, from, "terminate")
    elseif abnormal(reason) then
      report(S, reason, msg, from, cb)
    end
  elseif abnormal(reason) then
    report(S, reason, msg, from, cb)
  end
  if has_reply then pcall(gen_reply, from, reply) end
  otp.exit(final)
end

local function set_after(S, t, cont, value)
  S.timeout, S.cont, S.cont_value = t, cont, value
end

-- A reply that cannot be sent (it holds a function...) crashes the server.
local function send_reply(S, from, reply, msg)
  local ok, err = pcall(gen_reply, from, reply)
  if not ok then
    terminate(S, {"error", err, traceback and traceback(nil, 1) or ""}, msg, from, "handle_call")
  end
end

local function after_call(S, msg, from, ok, ...)
  if not ok then return terminate(S, (...), msg, from, "handle_call") end
  local n = select("#", ...)
  local tag, a, b, c = ...
  if tag == "reply" and (n == 3 or n == 4) then
    local good, t, cont, cv = true, nil, false, nil   -- no `after`: the common case
    if c ~= nil then good, t, cont, cv = parse_after(c) end
    if good then
      send_reply(S, from, a, msg)
      S.state = b
      S.timeout, S.cont, S.cont_value = t, cont, cv
      if S.hooks.debug then event(S.hooks, "out", a, from[1], b) end
      return
    end
  elseif tag == "noreply" and (n == 2 or n == 3) then
    local good, t, cont, cv = parse_after(b)
    if good then
      S.state = a
      set_after(S, t, cont, cv)
      if S.hooks.debug then event(S.hooks, "noreply", a) end
      return
    end
  elseif tag == "stop" and n == 4 then
    S.state = c
    return terminate(S, a, msg, from, "handle_call", true, b)
  elseif tag == "stop" and n == 3 then
    S.state = b
    return terminate(S, a, msg, from, "handle_call")
  end
  return terminate(S, {"bad_return_value", {...}}, msg, from, "handle_call")
end

local function after_noreply(S, cb, msg, ok, ...)
  if not ok then return terminate(S, (...), msg, nil, cb) end
  local n = select("#", ...)
  local tag, a, b = ...
  if tag == "noreply" and (n == 2 or n == 3) then
    local good, t, cont, cv = parse_after(b)
    if good then
      S.state = a
      set_after(S, t, cont, cv)
      if S.hooks.debug then event(S.hooks, "noreply", a) end
      return
    end
  elseif tag == "stop" and n == 3 then
    S.state = b
    return terminate(S, a, msg, nil, cb)
  end
  return terminate(S, {"bad_return_value", {...}}, msg, nil, cb)
end

local function handle_info(S, msg)
  local f = S.mod.handle_info
  if f == nil then                        -- OTP: a warning, and carry on
    if logging("warning") then
      write_report({"=WARNING REPORT==== gen_server " .. title(S) ..
                    " has no handle_info; it dropped the message " .. fmt(msg)})
    end
    set_after(S, nil, false)
    return
  end
  return after_noreply(S, "handle_info", msg, xpcall(f, S.handler, msg, S.state))
end

local function code_change(S, module, old_vsn, extra)
  local newmod = S.mod
  if module ~= nil then
    local ok, m = pcall(require, module)
    if not ok then return nil, {"error", m} end
    if type(m) ~= "table" then return nil, {"not_a_module", module} end
    newmod = m
  end
  local f = newmod.code_change
  if f ~= nil then
    local r = table.pack(xpcall(f, S.handler, old_vsn, S.state, extra))
    if not r[1] then return nil, {"EXIT", r[2]} end
    if r[2] ~= "ok" then return nil, {table.unpack(r, 2, r.n)} end   -- OTP: {error, Else}
    S.state = r[3]
  end
  S.mod = newmod
  return true
end

-- A server of a loaded module calls it by name, as Erlang's gen_server calls
-- Mod:handle_call: once otp.code.load (or rollback) installs another
-- version, the next callback runs it, on the state as it is.
local function follow_module(S)
  local current = otp_internal.loaded[S.modname]   -- not an upvalue: spawn would copy it
  if current ~= S.loaded and type(current) == "table" then
    S.loaded = current
    S.mod = require(S.modname)
  end
end

local function loop(S)
  local hooks = S.hooks
  local receive = otp.receive
  while true do
    if S.cont then
      if S.modname then follow_module(S) end
      local value = S.cont_value
      set_after(S, nil, false)
      if hooks.debug then event(hooks, "continue", value) end
      local f = S.mod.handle_continue or missing("handle_continue")
      after_noreply(S, "handle_continue", {"continue", value},
                    xpcall(f, S.handler, value, S.state))
    else
      -- A crash injected with otp.fault.crash is raised by receive: it takes
      -- the server's own error path (terminate, then the error report).
      local ok, msg, err
      if S.timeout == nil then ok, msg = xpcall(receive, S.handler)
      else ok, msg, err = xpcall(receive, S.handler, nil, S.timeout) end
      if not ok then terminate(S, msg, nil, nil, "its receive (an injected otp.fault.crash)") end
      if S.modname then follow_module(S) end
      if msg == nil and err == "timeout" then
        if hooks.debug then event(hooks, "in", "timeout") end
        handle_info(S, "timeout")
      else
        local tag = type(msg) == "table" and msg[1]
        if tag == "$gen_call" and type(msg[2]) == "table" then
          if hooks.debug then event(hooks, "in", msg) end
          local from = msg[2]
          local f = S.mod.handle_call or missing("handle_call")
          after_call(S, msg, from, xpcall(f, S.handler, msg[3], from, S.state))
        elseif tag == "$gen_cast" then
          if hooks.debug then event(hooks, "in", msg) end
          local f = S.mod.handle_cast or missing("handle_cast")
          after_noreply(S, "handle_cast", msg, xpcall(f, S.handler, msg[2], S.state))
        elseif tag == "$system" then
          handle_system(msg, hooks)        -- the pending timeout starts again
        elseif tag == "EXIT" and msg[2] == S.parent then
          terminate(S, msg[3], msg)
        else
          if hooks.debug then event(hooks, "in", msg) end
          handle_info(S, msg)
        end
      end
    end
  end
end

-- What getmetatable says of an exit raised by otp.exit: asked of one, once
-- (it is the same for every exit of the state).
local exit_mt_seen = nil
local function exit_mt()
  if exit_mt_seen == nil then exit_mt_seen = getmetatable(select(2, pcall(otp.exit, "normal"))) end
  return exit_mt_seen
end

local function new_server(mod, parent, name, label)
  local exit_mt = exit_mt()
  local modname = module_name.known(mod)      -- start() asked registered()
  local S = {mod = mod, parent = parent, name = name, label = label,
             state = nil, timeout = nil, cont = false, cont_value = nil,
             modname = modname, loaded = modname and otp_internal.loaded[modname]}
  -- An error becomes {"error", e, traceback}; an exit raised by otp.exit
  -- becomes its reason.
  S.handler = function(e)
    if type(e) == "table" and getmetatable(e) == exit_mt then return e[2] end
    local tb = traceback and traceback(nil, 2) or ""
    local cut = tb:find("\n\t%[C%]: in function 'xpcall'")   -- gen_server's own frames
    if cut then tb = tb:sub(1, cut - 1) end
    return {"error", e, tb}
  end
  S.hooks = {
    name = "gen_server",
    parent = parent,
    get_state = function() return S.state end,
    set_state = function(v) S.state = v end,
    status = function()
      local shown = module_name.describe(S.mod)
      return {module = shown, callback = shown, behaviour = "gen_server",
              header = "Status for generic server " .. (S.label or tostring(otp.self())),
              state = shown_state(S)}
    end,
    terminate = function(reason) terminate(S, reason, nil, nil) end,
    code_change = function(module, old_vsn, extra)
      return code_change(S, module, old_vsn, extra)
    end,
  }
  return S
end

-- Tells the starter start failed, and exits. The link to the starter goes
-- first, so the starter never sees an EXIT (OTP 26: it unlinks on nack).
local function init_fail(S, starter, linked, ret, reason)
  local self = otp.self()
  if S.name ~= nil and otp.whereis(S.name) == self then otp.unregister(S.name) end
  if linked then otp.unlink(starter) end
  otp.send(starter, {"nack", self, ret})
  otp.exit(reason)
end

-- shown: module_name.describe of the callback table, asked by start() of
-- the original (the copy made by spawn describes the same).
local function init_it(mod, args, starter, linked, name, label, shown)
  local self = otp.self()
  local S = new_server(mod, linked and starter or self, nil, label)
  if name ~= nil then
    while not pcall(otp.register, name, self) do
      local holder = otp.whereis(name)
      if holder ~= nil then
        init_fail(S, starter, linked, {"error", {"already_started", holder}}, "normal")
      end                                -- freed meanwhile: try again
    end
    S.name = name
  end
  if label ~= nil then otp.set_label(label) end
  otp._set_initial_call(shown .. ":init/1")
  local f = mod.init or missing("init")
  local r = table.pack(xpcall(f, S.handler, args))
  local n = r.n - 1
  if not r[1] then
    report_init(S, r[2])
    init_fail(S, starter, linked, {"error", r[2]}, r[2])
  end
  local tag = r[2]
  if tag == "ok" and (n == 2 or n == 3) then
    local good, t, cont, cv = parse_after(r[4])
    if good then
      S.state = r[3]
      set_after(S, t, cont, cv)
      otp.send(starter, {"ack", self, {"ok", self}})
      return loop(S)
    end
  elseif tag == "stop" and n == 2 then
    report_init(S, r[3])
    init_fail(S, starter, linked, {"error", r[3]}, r[3])
  elseif tag == "ignore" and n == 1 then
    init_fail(S, starter, linked, "ignore", "normal")
  end
  local bad = {"bad_return_value", {table.unpack(r, 2, r.n)}}
  report_init(S, bad)
  init_fail(S, starter, linked, {"error", bad}, bad)
end

---------------------------------------------------------------------------
-- Starting
---------------------------------------------------------------------------

local function check_timeout(t, fname, level)
  if t == nil or t == "infinity" or (type(t) == "number" and t >= 0) then return end
  badarg(fname .. "'s timeout must be milliseconds >= 0 or \"infinity\", got " ..
        fmt(t), level)
end

local function start(linked, mod, args, opts, fname)
  if type(mod) ~= "table" then
    badarg(fname .. " needs a callback module (a table of functions), got " ..
          type(mod), 3)
  end
  if opts ~= nil and type(opts) ~= "table" then
    badarg(fname .. "'s options must be a table, got " .. type(opts), 3)
  end
  if opts == nil then
    opts = NO_OPTIONS
  elseif next(opts) ~= nil then          -- an empty table has no unknown key
    require("otp.errors").check_keys(opts, {"name", "timeout"}, fname .. "'s options", 3)
  end
  local name = opts.name
  if name ~= nil and type(name) ~= "string" then
    badarg(fname .. "'s name must be a string, got " .. type(name), 3)
  end
  check_timeout(opts.timeout, fname, 4)
  local label = name
  if label == nil and type(mod.name) == "string" then label = mod.name end
  local self = otp.self()
  module_name.registered(mod)             -- known() answers it in the server
  local pid, mref = otp.spawn_opt(init_it, linked and LINK_MONITOR or MONITOR,
                                  mod, args, self, linked, name, label,
                                  module_name.describe(mod))
  local msg = otp.receive(function(m)
    if type(m) ~= "table" then return false end
    local tag = m[1]
    return ((tag == "ack" or tag == "nack") and m[2] == pid) or (tag == "DOWN" and m[2] == mref)
  end, opts.timeout)
  local function flush_exit()
    if linked then
      otp.unlink(pid)
      otp.receive({"EXIT", pid}, 0)
    end
  end
  if msg == nil then                     -- init took too long
    if linked then otp.unlink(pid) end
    otp.exit(pid, "kill")
    flush_exit()
    otp.receive({"DOWN", mref})
    return nil, "timeout"
  end
  local tag = msg[1]
  if tag == "ack" then
    otp.demonitor(mref, FLUSH)
    return pid
  elseif tag == "nack" then
    flush_exit()
    otp.receive({"DOWN", mref})          -- dead, and its name free, when we return
    local ret = msg[3]
    if ret == "ignore" then return nil, "ignore" end
    return nil, ret[2]
  end
  flush_exit()                           -- it died before answering
  return nil, msg[5]
end

function gen_server.start(mod, args, opts)
  return start(false, mod, args, opts, "gen_server.start")
end

function gen_server.start_link(mod, args, opts)
  return start(true, mod, args, opts, "gen_server.start_link")
end

---------------------------------------------------------------------------
-- Client functions
---------------------------------------------------------------------------

function gen_server.call(server, request, timeout)
  local ok, v = gen_call(server, "$gen_call", request,
                         timeout == nil and DEFAULT_CALL_TIMEOUT or timeout)
  if ok then return v end
  local args = timeout == nil and {server, request} or {server, request, timeout}
  otp.exit({v, {"gen_server", "call", args}})
end

-- Never fails for the destination (a dead pid, an unregistered name); a
-- message that cannot be sent (a function in it) is still a badarg error.
function gen_server.cast(server, msg)
  local dest = server
  if type(server) == "string" then
    dest = otp.whereis(server)
    if dest == nil then return true end
  end
  otp.send(dest, {"$gen_cast", msg})
  return true
end

function gen_server.reply(from, value)
  return gen_reply(from, value)
end

local function same(a, b)
  if a == b then return true end
  if type(a) ~= "table" or type(b) ~= "table" then return false end
  for k, v in pairs(a) do
    if not same(v, b[k]) then return false end
  end
  for k in pairs(b) do
    if a[k] == nil then return false end
  end
  return true
end

function gen_server.stop(server, reason, timeout)
  if reason == nil then reason = "normal" end
  check_timeout(timeout, "gen_server.stop", 3)
  local t = timeout == nil and "infinity" or timeout
  local t0 = otp.monotonic_time()
  local mref = otp.monitor(server)
  local ok, v = gen_call(server, "$system", {"terminate", reason}, t)
  if not ok then
    if v == "noproc" or v == "timeout" then
      otp.demonitor(mref, FLUSH)
      otp.exit(v)
    elseif not same(v, reason) then     -- it died of something else first
      otp.demonitor(mref, FLUSH)
      otp.exit({v, {"sys", "terminate", {server, reason, t}}})
    end
  end
  local left = nil
  if t ~= "infinity" then left = math.max(0, t - (otp.monotonic_time() - t0)) end
  local down = otp.receive({"DOWN", mref}, left)
  if down == nil then
    otp.demonitor(mref, FLUSH)
    otp.exit("timeout")
  end
  if same(down[5], reason) then return true end
  otp.exit(down[5])
end

return gen_server
