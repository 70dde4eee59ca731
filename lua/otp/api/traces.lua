-- otp.api.traces: POST|GET|DELETE /api/v1/processes/{pid}/trace. A trace
-- session ends with its owner, so the sessions belong to the API keeper
-- (otp.api.keeper); the handlers ask it.
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local traces = {}

local ask = require("otp.api.keeper").ask

local pid_param = {name = "pid", ["in"] = "path", type = "pid", description = "a pid (0.3.0) or a registered name"}

op{name = "start_trace", method = "POST", path = "/api/v1/processes/{pid}/trace", params = {pid_param},
  body = {description = '{"kinds": ["send", "receive", ...]} (default: every kind)',
          fields = {{name = "kinds", type = "json"}}},
  description = "Starts recording the process's trace events (a new session replaces an older one).",
  handler = function(p, b)
    local r = ask("trace_start", p.pid, b and b.kinds)
    return {pid = p.pid, status = r.status}, nil, 201
  end}

op{name = "trace_events", method = "GET", path = "/api/v1/processes/{pid}/trace", params = {pid_param},
  description = "The events recorded so far for the process, oldest first, and the session's status.",
  handler = function(p)
    local r = ask("trace_events", p.pid)
    return {pid = p.pid, events = json.array(r.events), status = r.status}
  end}

op{name = "stop_trace", method = "DELETE", path = "/api/v1/processes/{pid}/trace", params = {pid_param},
  description = "Stops the process's trace and answers its events.",
  handler = function(p)
    local r = ask("trace_stop", p.pid)
    return {pid = p.pid, events = json.array(r.events), status = r.status}
  end}

return traces
