-- otp.expect: assertions for scenarios, lessons and tests (API.md section 6).
--
--   local expect = require "otp.expect"      -- or otp.expect
--   expect.eq(otp.whereis("db"), nil)
--   expect.exit_reason(pid, "killed")
--
-- Every failed expectation raises a Lua error whose message starts with
-- "expectation failed: " and points at the line of the caller, so an
-- uncaught failure ends the scenario with a readable message and line.
-- Values in messages are printed the Erlang way spelled in Lua:
-- {"EXIT", <0.5.0>, "normal"}.
--
-- Waiting helpers never busy-loop and never sleep blindly: they wait with
-- bounded otp.receive calls (on a DOWN, on a message, or on a matcher that
-- never matches, used as an interruptible pause).
--
-- This module is code shared read-only by every process: it keeps no state
-- between calls; everything lives in locals of the call.

local otp = require "otp"

local expect = {}

local ANY = otp._                    -- the wildcard sentinel
local DEFAULT_TIMEOUT = 1000         -- ms, for every bounded wait
local POLL_MS = 5                    -- ms between tries of expect.eventually

---------------------------------------------------------------------------
-- Formatting values readably
---------------------------------------------------------------------------

local function is_identifier(k)
  return type(k) == "string" and k:match("^[%a_][%w_]*$") ~= nil
end

-- Values print as otp.inspect prints them, on one line (at most 40 items
-- per table and 400 bytes per string, so a failure stays readable).
local ONE_LINE = {width = math.maxinteger, items = 40, string = 400, depth = 8}

local function fmt(v)
  return otp.inspect(v, ONE_LINE)
end

--- expect.format(v) -> string: how expectations and reports print a value.
function expect.format(v)
  return fmt(v)
end

---------------------------------------------------------------------------
-- Failing
---------------------------------------------------------------------------

-- Processes (their coroutines) inside expect.eventually: a failure there is
-- a "not yet", so it is not worth a trace. Weak keys: nothing outlives them.
local retrying = setmetatable({}, {__mode = "k"})

local TRACE_NEWEST = 20              -- events shown when no process was named
local TRACE_CONCERNING = 40          -- at most this many about the named ones

local function concerns(ev, wanted)
  for _, v in next, ev do
    if type(v) == "userdata" and wanted[v] then return true end
  end
  return false
end

-- "the trace leading to it" (API.md section 6): the run's ring (otplab run
-- and test keep one), the events about the processes in `pids` or else the
-- newest ones, as sequence diagram text; "" when there is no ring.
local function trace_text(pids)
  local trace = otp.trace
  local ring = trace and trace._run_ring and trace._run_ring()
  if ring == nil or retrying[coroutine.running()] then return "" end
  local ok, evs = pcall(ring.events, ring)
  if not ok or #evs == 0 then return "" end
  local wanted, chosen, named = {}, {}, {}
  for _, p in pairs(pids or {}) do
    if type(p) == "userdata" and not wanted[p] then
      wanted[p] = true
      named[#named + 1] = p
    end
  end
  if next(wanted) then
    for _, ev in ipairs(evs) do
      if concerns(ev, wanted) then chosen[#chosen + 1] = ev end
    end
  end
  local about_named = #chosen > 0
  local limit = about_named and TRACE_CONCERNING or TRACE_NEWEST
  if not about_named then chosen = evs end
  local shown = {}
  for i = math.max(1, #chosen - limit + 1), #chosen do shown[#shown + 1] = chosen[i] end
  local about = about_named and "the events concerning " .. fmt(named)
                or "the newest events of the run"
  return "\nthe trace leading to it (" .. about .. ", " .. #shown .. " shown):\n" ..
         require("otp.trace_output").diagram(shown)
end

-- Raises the failure at the caller of the public function that called it;
-- pids: the processes the expectation is about, for the trace.
local function fail(msg, text, pids)
  local prefix = "expectation failed: "
  if msg ~= nil then prefix = prefix .. tostring(msg) .. ": " end
  error(prefix .. text .. trace_text(pids), 3)
end

---------------------------------------------------------------------------
-- Deep equality
---------------------------------------------------------------------------

-- Returns nil when equal, or the path (a string) and the two values where
-- the first difference was found. `pairs_seen` guards against cycles.
local deep_diff

local function same_number(a, b)
  return math.type(a) == math.type(b) and (a == b or (a ~= a and b ~= b))
end

-- A key of b that is a table deep-equal to ka (a fresh cycle guard: a
-- failed candidate must not be remembered as equal).
local function find_table_key(b, ka, used)
  for kb in next, b do
    if type(kb) == "table" and not used[kb] and not deep_diff(ka, kb, "", {}) then
      return kb
    end
  end
  return nil
end

deep_diff = function(a, b, path, pairs_seen)
  if type(a) == "number" and type(b) == "number" then
    if same_number(a, b) then return nil end   -- rawequal(1, 1.0) is true
    return path, a, b
  end
  if rawequal(a, b) then return nil end
  if (rawequal(a, ANY) and b ~= nil) or (rawequal(b, ANY) and a ~= nil) then
    return nil
  end
  local ta, tb = type(a), type(b)
  if ta ~= tb then return path, a, b end
  if ta ~= "table" then
    if a == b then return nil end   -- pids and refs are interned; == is identity
    return path, a, b
  end
  -- two tables: compare structurally (raw contents, metatables ignored)
  local seen_a = pairs_seen[a]
  if seen_a and seen_a[b] then return nil end   -- already being compared (cycle)
  if not seen_a then seen_a = {}; pairs_seen[a] = seen_a end
  seen_a[b] = true
  local used = {}
  for ka, va in next, a do
    local kb = ka
    if type(ka) == "table" then
      kb = find_table_key(b, ka, used)
      if kb == nil then return path .. "[" .. fmt(ka) .. "]", va, nil end
      used[kb] = true
    end
    local sub = path .. (is_identifier(ka) and ("." .. ka) or ("[" .. fmt(ka) .. "]"))
    local p, x, y = deep_diff(va, rawget(b, kb), sub, pairs_seen)
    if p then return p, x, y end
  end
  for kb, vb in next, b do
    local present
    if type(kb) == "table" then present = used[kb]
    else present = rawget(a, kb) ~= nil end
    if not present then
      local sub = path .. (is_identifier(kb) and ("." .. kb) or ("[" .. fmt(kb) .. "]"))
      return sub, nil, vb
    end
  end
  return nil
end

--- expect.equal(a, b) -> bool: the structural equality expect.eq uses.
function expect.equal(a, b)
  return deep_diff(a, b, "", {}) == nil
end

--- expect.eq(actual, expected[, msg])
-- Deep structural equality: tables are equal when they have the same keys
-- with equal values (recursively; metatables are ignored; cycles are
-- handled); pids, refs and other userdata compare by identity; numbers are
-- equal only when they are the same value AND the same kind (integer 1 is
-- not float 1.0, like Erlang's =:=). otp._ on either side matches any
-- non-nil value, so {"error", "boom", otp._} matches a crash reason.
-- On failure the message shows both values and, for tables, where they
-- first differ.
function expect.eq(actual, expected, msg)
  local path, x, y = deep_diff(actual, expected, "", {})
  if path == nil then return actual end
  local text = "expected " .. fmt(expected) .. ", got " .. fmt(actual)
  if path ~= "" then
    text = text .. " (first difference at " .. path .. ": expected " .. fmt(y) ..
           ", got " .. fmt(x) .. ")"
  end
  fail(msg, text)
end

--- expect.truthy(v[, msg]) -> v: v is neither nil nor false.
function expect.truthy(v, msg)
  if not v then fail(msg, "expected a truthy value, got " .. fmt(v)) end
  return v
end

--- expect.falsy(v[, msg]): v is nil or false.
function expect.falsy(v, msg)
  if v then fail(msg, "expected nil or false, got " .. fmt(v)) end
  return v
end

--- expect.alive(pid[, msg]): the process is alive now.
function expect.alive(pid, msg)
  if not otp.is_alive(pid) then fail(msg, "expected " .. fmt(pid) .. " to be alive, it is dead", {pid}) end
  return pid
end

--- expect.dead(pid[, msg]): the process is not alive now (it is not waited for:
-- use expect.exit_reason to wait for a death).
function expect.dead(pid, msg)
  if otp.is_alive(pid) then fail(msg, "expected " .. fmt(pid) .. " to be dead, it is alive", {pid}) end
  return pid
end

--- expect.exit_reason(pid, reason[, timeout_ms=1000[, msg]]) -> actual reason
-- Monitors pid and waits (at most timeout_ms) for its DOWN, then compares
-- its exit reason with `reason` as expect.eq does (otp._ works inside it);
-- `reason` may also be a function, called with the actual reason, that
-- must return a truthy value.
-- Call it while the process is still alive (or at least before you could
-- have missed its death): a process that is already dead can only be
-- reported as "noproc", so a dead pid fails with reason "noproc" unless
-- "noproc" is what you expect.
function expect.exit_reason(pid, reason, timeout_ms, msg)
  timeout_ms = timeout_ms or DEFAULT_TIMEOUT
  local ref = otp.monitor(pid)
  local down = otp.receive({"DOWN", ref}, timeout_ms)
  if down == nil then
    otp.demonitor(ref, {flush = true})
    fail(msg, fmt(pid) .. " did not exit within " .. timeout_ms ..
         " ms (expected exit reason " .. fmt(reason) .. ")", {pid})
  end
  local actual = down[5]
  local ok
  if type(reason) == "function" then
    ok = reason(actual)
  else
    ok = deep_diff(actual, reason, "", {}) == nil
  end
  if not ok then
    local text = fmt(pid) .. " exited with reason " .. fmt(actual) ..
                 ", expected " .. (type(reason) == "function" and "a reason accepted by the given function"
                                                              or fmt(reason))
    if actual == "noproc" then
      text = text .. " (noproc: the process was already dead when expect.exit_reason" ..
             " was called; call it while the process lives)"
    end
    fail(msg, text, {pid})
  end
  return actual
end

local function never() return false end

-- fn is something pcall can call: a function or a table with __call.
local function callable(fn)
  if type(fn) == "function" then return true end
  local mt = type(fn) == "table" and getmetatable(fn)
  return type(mt) == "table" and rawget(mt, "__call") ~= nil
end
local badarg = require("otp.errors").badarg

--- expect.eventually(fn[, timeout_ms=1000[, msg]]) -> fn's first truthy result
-- Calls fn until it returns a truthy value, pausing about 5 ms between tries
-- with a bounded receive that matches nothing (the process stays responsive
-- and no CPU is burnt). An error raised by fn (a failed expectation inside
-- it, say) counts as "not yet"; if the time runs out the last error or the
-- last value is reported.
function expect.eventually(fn, timeout_ms, msg)
  if not callable(fn) then
    badarg("expect.eventually needs a function as argument 1, got " .. type(fn), 2)
  end
  timeout_ms = timeout_ms or DEFAULT_TIMEOUT
  if math.type(timeout_ms) == nil or not (timeout_ms >= 0 and timeout_ms < math.huge) then
    badarg("expect.eventually's timeout (argument 2) must be a finite number of " ..
           "milliseconds >= 0, got " .. tostring(timeout_ms), 2)
  end
  local deadline = otp.monotonic_time() + timeout_ms
  local tries, last_ok, last = 0, true, nil
  local co = coroutine.running()
  while true do
    tries = tries + 1
    local outer = retrying[co]
    retrying[co] = true
    local ok, v = pcall(fn)
    retrying[co] = outer
    if ok and v then return v end
    last_ok, last = ok, v
    local left = deadline - otp.monotonic_time()
    if left <= 0 then break end
    otp.receive(never, math.min(POLL_MS, left))
  end
  local why = last_ok and ("its last result was " .. fmt(last))
                       or ("its last error was: " .. tostring(last))
  fail(msg, "the condition did not hold within " .. timeout_ms .. " ms (" ..
       tries .. " tries); " .. why)
end

---------------------------------------------------------------------------
-- Extensions: waiting for messages
---------------------------------------------------------------------------

local function matcher_text(match)
  if match == nil then return "message" end
  if type(match) == "function" then return "message accepted by the matcher" end
  return "message matching " .. fmt(match)
end

--- expect.receive([match[, timeout_ms=1000[, msg]]]) -> the message
-- otp.receive that fails the expectation instead of returning nil, "timeout".
-- `match` is what otp.receive takes (nil, a function or a pattern table).
function expect.receive(match, timeout_ms, msg)
  timeout_ms = timeout_ms or DEFAULT_TIMEOUT
  local m, err = otp.receive(match, timeout_ms)
  if m == nil and err == "timeout" then
    local queued = otp.process_info(otp.self(), "messages") or {}
    fail(msg, "no " .. matcher_text(match) .. " arrived within " .. timeout_ms ..
         " ms; the mailbox holds " .. fmt(queued), {otp.self()})
  end
  return m
end

--- expect.no_message([match[, timeout_ms=0[, msg]]])
-- No message matching `match` arrives within timeout_ms (0 = only look at
-- what is queued now). To prove something never arrives, first wait for an
-- event that must come after it, then call this with timeout 0.
function expect.no_message(match, timeout_ms, msg)
  local m, err = otp.receive(match, timeout_ms or 0)
  if not (m == nil and err == "timeout") then
    fail(msg, "expected no " .. matcher_text(match) .. ", but got " .. fmt(m))
  end
  return true
end

--- expect.error(fn, prefix[, msg]) -> the error value
-- fn() must raise a Lua error whose message is a string starting with
-- `prefix` (e.g. "badarg", the stable code of a misuse error). An exit
-- raised by otp.exit (caught as the table {"EXIT", reason}) does not match.
function expect.error(fn, prefix, msg)
  if not callable(fn) then
    badarg("expect.error needs a function as argument 1, got " .. type(fn), 2)
  end
  if type(prefix) ~= "string" then
    badarg("expect.error needs the expected error prefix (a string such as \"badarg\") " ..
           "as argument 2, got " .. type(prefix), 2)
  end
  local ok, err = pcall(fn)
  if ok then fail(msg, "expected an error starting with " .. fmt(prefix) .. ", but the call returned") end
  if type(err) ~= "string" or err:sub(1, #prefix) ~= prefix then
    fail(msg, "expected an error starting with " .. fmt(prefix) .. ", got " .. fmt(err))
  end
  return err
end

---------------------------------------------------------------------------
-- Waiting for supervision and trace events
---------------------------------------------------------------------------

-- Pauses about POLL_MS (at most until deadline); false once it has passed.
local function pause_until(deadline)
  local left = deadline - otp.monotonic_time()
  if left <= 0 then return false end
  otp.receive(never, math.min(POLL_MS, left))
  return true
end

local function child_pid(sup, id)
  local ok, kids = pcall(otp.supervisor.which_children, sup)
  if not ok then return nil, "the supervisor is not running (" .. fmt(kids) .. ")" end
  for _, c in ipairs(kids) do
    if expect.equal(c.id, id) then return c.pid end
  end
  return nil, "it has no child " .. fmt(id)
end

-- The pid child `id` of sup was restarted into, from the restart history
-- (read without messaging the supervisor, so the wait adds nothing to the
-- trace): following old_pid's restarts to the newest, or without old_pid
-- the newest restart of id; nil if there is none.
local function restarted_to(sup, id, old_pid)
  local ok, h = pcall(otp.analytics.restart_history, sup)
  if not ok or type(h) ~= "table" then return nil end
  local text, pid = fmt(id), nil
  for i = 1, #h do
    local e = h[i]
    if e.id == id or e.id == text then
      if old_pid == nil or e.old_pid == (pid or old_pid) then pid = e.new_pid or pid end
    end
  end
  return pid
end

--- expect.restarted(sup, id[, old_pid][, timeout_ms=1000[, msg]]) -> the new pid
-- Waits until child `id` of `sup` runs a live pid other than old_pid; without
-- old_pid, until the supervisor's restart history holds a restart of `id`.
function expect.restarted(sup, id, old_pid, timeout_ms, msg)
  if type(old_pid) == "number" then old_pid, timeout_ms, msg = nil, old_pid, timeout_ms end
  timeout_ms = timeout_ms or DEFAULT_TIMEOUT
  local deadline = otp.monotonic_time() + timeout_ms
  repeat
    local pid = restarted_to(sup, id, old_pid)
    if pid ~= nil and (old_pid == nil or otp.is_alive(pid)) then return pid end
  until not pause_until(deadline)
  local pid, why = child_pid(sup, id)
  local seen = why or ("it runs " .. fmt(pid))
  local since = old_pid ~= nil and (" (it ran " .. fmt(old_pid) .. ")") or ""
  fail(msg, "child " .. fmt(id) .. " of supervisor " .. fmt(sup) .. " was not restarted" ..
       since .. " within " .. timeout_ms .. " ms; " .. seen, {sup, old_pid, pid})
end

--- expect.events(session, patterns[, timeout_ms=1000[, msg]]) -> the matched events
-- Waits until the session's events contain the patterns as an ordered
-- subsequence; each pattern is matched like otp.match against an event
-- ({kind = "sup_restart", id = "w"}) or is a function of the event.
function expect.events(session, patterns, timeout_ms, msg)
  timeout_ms = timeout_ms or DEFAULT_TIMEOUT
  local matchers = {}
  for i, p in ipairs(patterns) do
    matchers[i] = type(p) == "function" and p or otp.match(p)
  end
  local deadline = otp.monotonic_time() + timeout_ms
  local found, evs
  repeat
    evs, found = session:events(), {}
    for _, ev in ipairs(evs) do
      local m = matchers[#found + 1]
      if m == nil then break end
      if m(ev) then found[#found + 1] = ev end
    end
    if #found == #matchers then return found end
  until not pause_until(deadline)
  local pids = {}
  for _, ev in ipairs(found) do pids[#pids + 1] = ev.pid end
  local after = #found > 0 and (", after " .. fmt(found[#found])) or ""
  fail(msg, "the trace did not show " .. fmt(patterns[#found + 1]) .. " (pattern " ..
       (#found + 1) .. " of " .. #matchers .. ") within " .. timeout_ms .. " ms" .. after ..
       "; the session holds " .. #evs .. " events", pids)
end

return expect
