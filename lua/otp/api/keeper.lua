-- otp.api.keeper: the long-lived process (registered as api_keeper,
-- started by the API server) that owns what must outlive a request:
-- trace sessions (a session ends with its owner) and sandboxes (their root
-- is linked to the process that created them). Handlers ask it with
-- keeper.ask(action, ...), which answers 504 if it does not reply in time.
local otp = require "otp"
local errors = require "otp.api.errors"
local keeper = {}

local actions = {}
local sessions = {}

function actions.trace_start(pid, kinds)
  local key = tostring(pid)
  if sessions[key] then sessions[key]:stop() end
  local ok, s = pcall(otp.trace.start, {pids = {pid}, kinds = kinds, max_events = 10000})
  if not ok then return {error = tostring(s)} end
  sessions[key] = s
  return {status = s:status()}
end
function actions.trace_events(pid)
  local s = sessions[tostring(pid)]
  if not s then return {missing = true} end
  return {events = s:events(), status = s:status()}
end
function actions.trace_stop(pid)
  local s = sessions[tostring(pid)]
  if not s then return {missing = true} end
  s:stop()
  sessions[tostring(pid)] = nil
  return {events = s:events(), status = s:status()}
end
local function results(ok, ...)
  if not ok then return {error = tostring((...))} end
  return {values = table.pack(...)}
end
function actions.sandbox_create(name, opts)
  if opts.demo then opts.start = require("otp.demo").spec{tick_ms = false} end
  opts.demo = nil
  return results(pcall(otp.sandbox.create, name, opts))
end
function actions.sandbox_restart(name) return results(pcall(otp.sandbox.restart, name)) end
function actions.sandbox_destroy(name) return results(pcall(otp.sandbox.destroy, name)) end

function keeper.main()
  otp.set_label("api_keeper")
  otp.trap_exit(true)          -- a sandbox root's exit is news, not a reason to stop
  while true do
    local m = otp.receive()
    -- only {pid, ref, action, ...} from a live process is a request; the rest is ignored
    if type(m) == "table" and actions[m[3]] and pcall(otp.is_alive, m[1]) and otp.is_alive(m[1]) then
      -- a request with arguments an action cannot take is answered, not fatal
      local ok, answer = pcall(actions[m[3]], m[4], m[5])
      otp.send(m[1], {m[2], ok and answer or {error = tostring(answer)}})
    end
  end
end

--- keeper.ask(action, a, b) -> the action's answer table; fails 400 on {error=}, 404 on {missing=}.
function keeper.ask(action, a, b)
  local pid = otp.whereis("api_keeper") or errors.fail(503, "unavailable", "the API keeper is not running")
  local ref = otp.make_ref()
  otp.send(pid, {otp.self(), ref, action, a, b})
  local m = otp.receive(otp.match{ref}, 1500) or errors.fail(504, "timeout", "the API keeper did not answer in time")
  local r = m[2]
  if r.error then errors.fail(400, "badarg", r.error) end
  if r.missing then errors.fail(404, "not_found", "no trace on this process: start one with POST .../trace") end
  return r
end

return keeper
