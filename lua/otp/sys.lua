-- otp.sys: system messages, OTP's sys module (API.md section 3).
--
-- Any process that follows the behaviour protocol (gen_server, supervisor,
-- your own loop) answers these calls, made from any other process:
--
--   sys.get_state(server[, timeout[, max_bytes]]) -> the state, raw as in
--        OTP (format_status is for get_status and crash reports, not for
--        get_state). The copy is bounded: a state whose estimated size is
--        over max_bytes (default sys.MAX_STATE_BYTES, 1 MiB; "infinity"
--        lifts the cap) comes back as the marker
--          {"truncated", max_bytes = cap, partial = a bounded copy}
--        where partial holds the first max_bytes worth of the state: a
--        table cut short has a field ["$truncated"] = number of entries left
--        out, a long string ends in "..." and nesting past 100 levels
--        reads "...". The size is measured in the server, so an oversized
--        state is never copied whole.
--   sys.replace_state(server, fn[, timeout])  -> the new state (see below)
--   sys.suspend(server[, timeout])            -> true: only system messages
--        are handled until resume (suspending twice needs one resume, as OTP)
--   sys.resume(server[, timeout])             -> true (also when running)
--   sys.get_status(server[, timeout])         -> {pid=, module= (the user's
--        module for a gen_server, else the behaviour), behaviour=, status="running"|"suspended", parent=,
--        name=, label=, trace=, statistics=, state= (a gen_server's state
--        through format_status, under the same cap as get_state)} plus the
--        behaviour's own fields (gen_server: callback = module, header)
--   sys.trace(server, flag[, timeout])        -> true; flag true prints every
--        event the server handles to stdout (io.output()), as sys:trace does
--        (the server appears as its registered name, or its pid):
--          *DBG* <0.81.0> got call "get" from <0.80.0>
--          *DBG* <0.81.0> sent 42 to <0.80.0>, new state 42
--        (extension) flag = a pid sends each line to that pid instead, as
--        {"sys_trace", server_pid, line}; false turns tracing off
--   sys.statistics(server[, flag[, timeout]])  flag true: start counting
--        (again from zero), false: stop, nil or "get": the counts
--        {start_time=, current_time= (ms, system time), reductions=,
--         messages_in=, messages_out=}, or nil, "no_statistics"
--   sys.change_code(server, module, old_vsn, extra[, timeout])
--        -> true | nil, reason; only while suspended (OTP's rule)
--   sys.terminate(server, reason[, timeout])  -> true; the server runs its
--        terminate and exits with reason (gen_server.stop waits for that)
--
-- timeout defaults to 5000 ms, so no sys call blocks its caller forever. A server that is dead, or does not answer in
-- time, makes the caller exit as in OTP: {"noproc", {"sys", "get_state",
-- {server}}} (the argument list holds the timeout when one was passed).
--
-- replace_state(server, fn): functions cannot be sent to another process,
-- so fn runs in the CALLER, not in the server as in OTP. It is done as
-- suspend, get_state, fn(state) here, set_state, resume, so no ordinary
-- message is handled in between; a server that was already suspended stays
-- suspended. replace_state reads the whole state (no size cap: it has to
-- write the whole state back). If fn raises, the state is left unchanged and replace_state
-- raises OTP's error value {"callback_failed", {module, "system_replace_state"},
-- {"error"|"exit", reason}}.
--
-- The wire protocol (plain data, traceable):
--   request  {"$system", from, req}   from = {caller_pid, alias_ref}
--   reply    {alias_ref, {"ok", value}} or {alias_ref, {"error", reason}}
--   req      "get_state" (uncapped) | {"get_state", max_bytes} |
--            {"set_state", v} (replace_state's last step) |
--            "suspend" (answered {"ok", {previous = "running"|"suspended",
--            module = name}}) | "resume" |
--            "get_status" | {"debug", "trace"|"statistics", flag} |
--            {"terminate", reason} | {"change_code", module, old_vsn, extra}
--
-- FOR BEHAVIOUR AUTHORS -----------------------------------------------------
--
-- sys.handle_system(msg, hooks) -> true
--   Call it from your receive loop for every message {"$system", from, req}.
--   It answers the caller; for "suspend" it blocks, receiving only system
--   messages (and an {"EXIT", hooks.parent, reason}, which terminates, as in
--   OTP's suspend loop) until "resume"; then it returns true and your loop
--   carries on (a gen_server restarts its pending timeout, as OTP does).
--   hooks (keep ONE table per process and pass the same one every time:
--   sys keeps the trace and statistics flags in hooks.debug):
--     name       string   the behaviour, e.g. "supervisor" (get_status .module)
--     get_state  fn() -> state
--     set_state  fn(new_state)                    (replace_state)
--     status     fn() -> table or nil: fields merged into get_status's
--                result (e.g. {state = formatted state, children = 3})
--     parent     pid      optional: the parent, for the suspend loop
--     terminate  fn(reason) optional: clean up and exit with reason (must not
--                return); without it sys calls otp.exit(reason)
--     code_change fn(module, old_vsn, extra) -> true | nil, reason; optional
--
-- sys.event(hooks, kind, ...)  reports one event for trace and statistics;
--   cheap when both are off (test `if hooks.debug then` to skip the call):
--     "in", msg                 a message taken from the mailbox (counted in)
--     "out", reply, to_pid, new_state   a reply sent (counted out)
--     "noreply", new_state      a callback kept going without replying
--     "continue", value         a {"continue", value} is being handled
--     any other kind, value     printed as "*DBG* <pid> kind value"
--
-- sys.gen_call(server, tag, request, timeout) -> true, reply | false, reason
--   the request/reply protocol behind gen_server.call and every sys call:
--   sends {tag, {self, alias}, request} where alias is an alias monitor of
--   the server, waits for {alias, reply} or the server's DOWN. reason is
--   "noproc", "timeout", "calling_self" or the server's exit reason. A reply
--   that comes after the timeout is dropped by the runtime (the alias is
--   gone), so it never reaches the caller's mailbox (OTP 24+).
-- sys.gen_reply(from, value) sends {from[2], value} to the alias in from.
--
-- This module keeps no state of its own: it is code shared by every process.

local otp = require "otp"

local sys = {}

local DEFAULT_TIMEOUT = 5000
local MAX_STATE_BYTES = 1024 * 1024
sys.MAX_STATE_BYTES = MAX_STATE_BYTES
local ALIAS = {alias = true}        -- constant option tables, never mutated
local FLUSH = {flush = true}

local badarg = require("otp.errors").badarg   -- "badarg: ... (at file:line)"

local function fmt(v)
  return require("otp.expect").format(v)
end

---------------------------------------------------------------------------
-- The request/reply protocol
---------------------------------------------------------------------------

-- The pid a server reference names now, or nil (an unregistered name).
local function whereis(server, fname)
  local t = type(server)
  if t == "string" then return otp.whereis(server) end
  if t == "userdata" then return server end          -- a pid
  if t == "table" and type(server[1]) == "string" then  -- {name, node}
    if server[2] == otp.node() then return otp.whereis(server[1]) end
    return nil
  end
  badarg(fname .. " needs a pid, a registered name or {name, node}, got " ..
        t, 4)
end

local call_send, await_call, reply_send = otp._call_send, otp._await_call, otp._reply_send

function sys.gen_call(server, tag, request, timeout)
  if timeout ~= DEFAULT_TIMEOUT and
     not (timeout == nil or timeout == "infinity" or (type(timeout) == "number" and timeout >= 0)) then
    badarg("a call's timeout must be milliseconds >= 0 or \"infinity\", got " .. fmt(timeout), 3)
  end
  -- monitor with an alias and send {tag, {self, mref}, request}, in one
  -- step; false: server is the caller itself, nil: server is not a pid
  local mref = call_send(server, tag, request)
  if mref == false then return false, "calling_self" end
  if mref == nil then
    local pid = whereis(server, "a call")
    if pid == nil then return false, "noproc" end
    if pid == otp.self() then return false, "calling_self" end
    mref = call_send(pid, tag, request) or otp.monitor(pid, ALIAS)
  end
  -- {mref, reply} (then demonitor with flush) or {"DOWN", mref, ...} (its
  -- reason: noproc, or why it died), looking only at newer messages
  local ok, v = await_call(mref, timeout)
  if ok ~= nil then return ok, v end
  otp.demonitor(mref, FLUSH)             -- the alias goes: a late reply is dropped
  local msg = otp.receive({mref}, 0)     -- unless it came just before that
  if msg == nil then return false, "timeout" end
  return true, msg[2]
end

function sys.gen_reply(from, value)
  if type(from) ~= "table" then
    badarg("a reply needs the `from` of a call ({pid, alias}), got " .. type(from), 2)
  end
  local dest = from[2]
  -- {dest, value} built as the receiver's in one step, or else the plain way
  if not reply_send(dest, value) then otp.send(dest, {dest, value}) end
  return true
end

---------------------------------------------------------------------------
-- Behaviour side: debug events
---------------------------------------------------------------------------

local function proc_name()
  local self = otp.self()
  local name = otp.process_info(self, "registered_name")
  return name ~= nil and name or tostring(self)
end

local function format_event(kind, a, b, c)
  local who = proc_name()
  if kind == "in" then
    if type(a) == "table" and a[1] == "$gen_call" and type(a[2]) == "table" then
      return string.format("*DBG* %s got call %s from %s", who, fmt(a[3]), fmt(a[2][1]))
    elseif type(a) == "table" and a[1] == "$gen_cast" then
      return string.format("*DBG* %s got cast %s", who, fmt(a[2]))
    elseif a == "timeout" then
      return string.format("*DBG* %s got timeout", who)
    end
    return string.format("*DBG* %s got %s", who, fmt(a))
  elseif kind == "out" then
    return string.format("*DBG* %s sent %s to %s, new state %s", who, fmt(a), fmt(b), fmt(c))
  elseif kind == "noreply" then
    return string.format("*DBG* %s new state %s", who, fmt(a))
  elseif kind == "continue" then
    return string.format("*DBG* %s continue %s", who, fmt(a))
  end
  return string.format("*DBG* %s %s %s", who, tostring(kind), fmt(a))
end

local function check_hooks(fname, hooks)
  if type(hooks) ~= "table" then
    badarg(fname .. " needs the server's hooks table (the one sys.handle_system " ..
           "is given) as argument " .. (fname == "sys.event" and 1 or 2) .. ", got " ..
           type(hooks), 3)
  end
end

function sys.event(hooks, kind, a, b, c)
  check_hooks("sys.event", hooks)
  if type(kind) ~= "string" then
    badarg("sys.event needs the event kind (a string: \"in\", \"out\", ...) as " ..
           "argument 2, got " .. type(kind), 2)
  end
  local d = hooks.debug
  if not d then return end
  local st = d.stats
  if st then
    if kind == "in" then st.messages_in = st.messages_in + 1
    elseif kind == "out" then st.messages_out = st.messages_out + 1 end
  end
  local to = d.trace
  if to then
    local line = format_event(kind, a, b, c)
    if to == true and not io then       -- a sandbox: print is its stdout
      print(line)
    elseif to == true then              -- the default output file: stdout
      local out = io.output()
      out:write(line, "\n")
      out:flush()
    else
      otp.send(to, {"sys_trace", otp.self(), line})
    end
  end
end

local function debug_table(hooks)
  local d = hooks.debug
  if not d then d = {}; hooks.debug = d end
  return d
end

local function debug_tidy(hooks)
  local d = hooks.debug
  if d and not d.trace and not d.stats then hooks.debug = nil end
end

local function statistics_now(st)
  local self = otp.self()
  return {
    start_time = st.start_time,
    current_time = otp.system_time(),
    reductions = (otp.process_info(self, "reductions") or 0) - st.reductions0,
    messages_in = st.messages_in,
    messages_out = st.messages_out,
  }
end

---------------------------------------------------------------------------
-- Behaviour side: answering system messages
---------------------------------------------------------------------------

-- The size cap of get_state and get_status. Sizes are estimates of what the
-- runtime's copy allocates (a table 56 bytes plus its entries, a string 24
-- plus its length, anything else 16), measured with a budget so that a huge
-- state costs no more than max_bytes of work to find too big.
local MAX_DEPTH = 100

local function over(v, budget)
  local left, seen = budget, {}
  local function walk(x, depth)
    local t = type(x)
    if t == "string" then left = left - 24 - #x
    elseif t ~= "table" then left = left - 16
    elseif not seen[x] then
      seen[x] = true
      left = left - 56
      if depth > MAX_DEPTH then left = -1; return end
      for k, val in next, x do
        if left < 0 then return end
        walk(k, depth + 1)
        walk(val, depth + 1)
      end
    end
  end
  walk(v, 0)
  return left < 0
end

-- A copy of v holding at most about budget bytes (see get_state above).
local function bounded_copy(v, budget)
  local left, copies = budget, {}
  local function copy(x, depth, is_key)
    local t = type(x)
    if t == "string" then
      local n = 24 + #x
      if n > left and not is_key then
        local keep = math.max(left - 24, 0)
        left = left - 24 - keep
        return x:sub(1, keep) .. "..."
      end
      left = left - n
      return x
    elseif t ~= "table" then
      left = left - 16
      return x
    end
    if copies[x] then return copies[x] end
    if depth > MAX_DEPTH then return "..." end
    left = left - 56
    local c, more = {}, 0
    copies[x] = c
    for k, val in next, x do
      if left <= 0 then more = more + 1
      else
        local ck = copy(k, depth + 1, true)
        c[ck] = copy(val, depth + 1, false)
      end
    end
    if more > 0 then c["$truncated"] = more end
    return c
  end
  return copy(v, 0, false)
end

-- v itself when it fits in max_bytes, else the "truncated" marker.
local function capped(v, max_bytes)
  if max_bytes == "infinity" or not over(v, max_bytes) then return v end
  return {"truncated", max_bytes = max_bytes, partial = bounded_copy(v, max_bytes)}
end

-- A value that cannot be sent (a state holding a function...) is answered
-- with {"error", {"badarg", message}} instead of crashing the server.
local function answer(from, ok, value)
  if type(from) ~= "table" then return end
  local sent, err = pcall(otp.send, from[2], {from[2], ok and {"ok", value} or {"error", value}})
  if not sent then otp.send(from[2], {from[2], {"error", {"badarg", err}}}) end
end

local function terminate(hooks, reason)
  if hooks.terminate then hooks.terminate(reason) end
  otp.exit(reason)
end

local function status(hooks, suspended)
  local self = otp.self()
  local d = hooks.debug
  local st = {
    pid = self,
    module = hooks.name,
    behaviour = hooks.name,
    status = suspended and "suspended" or "running",
    parent = hooks.parent,
    name = otp.process_info(self, "registered_name"),
    label = otp.process_info(self, "label"),
    trace = d ~= nil and d.trace ~= nil and d.trace ~= false,
    statistics = d ~= nil and d.stats ~= nil,
  }
  if hooks.status then
    local ok, extra = pcall(hooks.status)
    if not ok then st.status_error = extra
    elseif type(extra) == "table" then
      for k, v in pairs(extra) do st[k] = v end
    end
  end
  if st.state == nil and hooks.get_state then
    local ok, state = pcall(hooks.get_state)
    if ok then st.state = state end
  end
  if st.state ~= nil then st.state = capped(st.state, MAX_STATE_BYTES) end
  return st
end

-- Answers one request; returns "suspend" or "resume" when the request
-- changes the suspension, nil otherwise.
local function do_request(hooks, from, req, suspended)
  local kind = req
  if type(req) == "table" then kind = req[1] end
  if kind == "get_state" then
    if not hooks.get_state then return answer(from, false, {"unknown_system_msg", req}) end
    local ok, v = pcall(hooks.get_state)
    if ok and type(req) == "table" then ok, v = pcall(capped, v, req[2]) end
    if ok then answer(from, true, v)
    else answer(from, false, {"callback_failed", {hooks.name, "system_get_state"}, {"error", v}}) end
  elseif kind == "set_state" then
    if not hooks.set_state then return answer(from, false, {"unknown_system_msg", req}) end
    local ok, e = pcall(hooks.set_state, req[2])
    if ok then answer(from, true, true)
    else answer(from, false, {"callback_failed", {hooks.name, "system_replace_state"}, {"error", e}}) end
  elseif kind == "suspend" then
    answer(from, true, {previous = suspended and "suspended" or "running", module = hooks.name})
    return "suspend"
  elseif kind == "resume" then
    answer(from, true, true)
    return "resume"
  elseif kind == "get_status" then
    answer(from, true, status(hooks, suspended))
  elseif kind == "debug" then
    local what, flag = req[2], req[3]
    if what == "trace" then
      local d = debug_table(hooks)
      d.trace = (flag == true or type(flag) == "userdata") and flag or nil
      debug_tidy(hooks)
      answer(from, true, true)
    elseif what == "statistics" then
      if flag == true then
        debug_table(hooks).stats = {
          start_time = otp.system_time(),
          reductions0 = otp.process_info(otp.self(), "reductions") or 0,
          messages_in = 0, messages_out = 0,
        }
        answer(from, true, true)
      elseif flag == false then
        if hooks.debug then hooks.debug.stats = nil end
        debug_tidy(hooks)
        answer(from, true, true)
      else
        local d = hooks.debug
        if d and d.stats then answer(from, true, statistics_now(d.stats))
        else answer(from, true, "no_statistics") end
      end
    else
      answer(from, false, {"unknown_debug", req})
    end
  elseif kind == "terminate" then
    answer(from, true, true)
    terminate(hooks, req[2])
  elseif kind == "change_code" and suspended then
    if not hooks.code_change then
      answer(from, false, {"unknown_system_msg", req})
    else
      local ok, res, why = pcall(hooks.code_change, req[2], req[3], req[4])
      if not ok then answer(from, false, {"EXIT", res})
      elseif res then answer(from, true, true)
      else answer(from, false, why) end
    end
  else
    answer(from, false, {"unknown_system_msg", req})
  end
  return nil
end

local function suspended_loop(hooks)
  local parent = hooks.parent
  local function wanted(m)
    if type(m) ~= "table" then return false end
    local tag = m[1]
    return tag == "$system" or (tag == "EXIT" and parent ~= nil and m[2] == parent)
  end
  while true do
    local m = otp.receive(wanted)
    if m[1] == "EXIT" then terminate(hooks, m[3]) end
    if do_request(hooks, m[2], m[3], true) == "resume" then return true end
  end
end

function sys.handle_system(msg, hooks)
  if type(msg) ~= "table" or msg[1] ~= "$system" then
    badarg("sys.handle_system needs a {\"$system\", from, request} message as " ..
           "argument 1, got " .. (type(msg) == "table" and "a table without \"$system\""
                                  or type(msg)), 2)
  end
  check_hooks("sys.handle_system", hooks)
  if do_request(hooks, msg[2], msg[3], false) == "suspend" then
    return suspended_loop(hooks)
  end
  return true
end

---------------------------------------------------------------------------
-- Caller side
---------------------------------------------------------------------------

-- Sends a system request; exits like OTP when the server is gone or silent.
-- Returns true, value or false, error reason (an {"error", reason} reply).
local function request(fname, server, req, timeout, args)
  local ok, v = sys.gen_call(server, "$system", req, timeout or DEFAULT_TIMEOUT)
  if not ok then otp.exit({v, {"sys", fname, args}}) end
  if type(v) == "table" and v[1] == "ok" then return true, v[2] end
  if type(v) == "table" and v[1] == "error" then return false, v[2] end
  return false, {"bad_system_reply", v}
end

-- OTP's argument list in exit reasons: the timeout only when one was given.
local function args_of(server, timeout, ...)
  local a = {server, ...}
  if timeout ~= nil then a[#a + 1] = timeout end
  return a
end

local function value_or_error(ok, v)
  if ok then return v end
  error(v, 3)
end

function sys.get_state(server, timeout, max_bytes)
  if max_bytes == nil then max_bytes = MAX_STATE_BYTES end
  if not (max_bytes == "infinity" or (math.type(max_bytes) == "integer" and max_bytes >= 0)) then
    badarg("sys.get_state's max_bytes must be an integer >= 0 or \"infinity\", got " ..
           fmt(max_bytes), 2)
  end
  return value_or_error(request("get_state", server, {"get_state", max_bytes}, timeout,
                                args_of(server, timeout)))
end

function sys.suspend(server, timeout)
  value_or_error(request("suspend", server, "suspend", timeout, args_of(server, timeout)))
  return true
end

function sys.resume(server, timeout)
  value_or_error(request("resume", server, "resume", timeout, args_of(server, timeout)))
  return true
end

function sys.get_status(server, timeout)
  return value_or_error(request("get_status", server, "get_status", timeout,
                                args_of(server, timeout)))
end

function sys.trace(server, flag, timeout)
  if not (flag == true or flag == false or type(flag) == "userdata") then
    badarg("sys.trace needs true, false or a pid to send the lines to, got " ..
          type(flag), 2)
  end
  value_or_error(request("trace", server, {"debug", "trace", flag}, timeout,
                         args_of(server, timeout, flag)))
  return true
end

function sys.statistics(server, flag, timeout)
  if flag == nil then flag = "get" end
  if not (flag == true or flag == false or flag == "get") then
    badarg("sys.statistics needs true, false or \"get\", got " .. fmt(flag), 2)
  end
  local v = value_or_error(request("statistics", server, {"debug", "statistics", flag},
                                   timeout, args_of(server, timeout, flag)))
  if v == "no_statistics" then return nil, "no_statistics" end
  return v
end

function sys.change_code(server, module, old_vsn, extra, timeout)
  local ok, v = request("change_code", server, {"change_code", module, old_vsn, extra},
                        timeout, args_of(server, timeout, module, old_vsn, extra))
  if ok then return true end
  return nil, v
end

function sys.terminate(server, reason, timeout)
  value_or_error(request("terminate", server, {"terminate", reason}, timeout,
                         args_of(server, timeout, reason)))
  return true
end

function sys.replace_state(server, fn, timeout)
  if type(fn) ~= "function" then
    badarg("sys.replace_state needs a function (state -> new state), got " ..
          type(fn), 2)
  end
  local args = args_of(server, timeout)     -- fn itself cannot be in an exit reason
  local susp = value_or_error(request("replace_state", server, "suspend", timeout, args))
  local function restore()
    if susp.previous == "running" then request("replace_state", server, "resume", timeout, args) end
  end
  local ok, state = request("replace_state", server, "get_state", timeout, args)
  if not ok then
    restore()
    error(state, 2)
  end
  local fok, new = pcall(fn, state)
  if not fok then
    restore()
    local class, reason = "error", new
    if type(new) == "table" and new[1] == "EXIT" and getmetatable(new) ~= nil then
      class, reason = "exit", new[2]
    end
    error({"callback_failed", {susp.module, "system_replace_state"}, {class, reason}}, 2)
  end
  local sok, why = request("replace_state", server, {"set_state", new}, timeout, args)
  restore()
  if not sok then error(why, 2) end
  return new
end

return sys
