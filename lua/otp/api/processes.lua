-- otp.api.processes: /api/v1/processes and one process's info, state,
-- messages, kill and messages sent to it.
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"
local gen_server = require "otp.gen_server"

local processes = {}
local pid_param = {name = "pid", ["in"] = "path", type = "pid",
                   description = "a pid as 0.3.0 (or <0.3.0>) or a registered name"}

--- processes.object(pid) -> process_info plus pid and name, or nil if it is dead.
function processes.object(pid)
  local info = otp.process_info(pid)
  if not info then return nil end
  info.messages = nil                    -- GET .../messages has them
  info.pid = pid
  info.name = info.registered_name or info.label
  info.links = json.array(info.links)
  info.monitors = json.array(info.monitors)
  info.monitored_by = json.array(info.monitored_by)
  info.ancestors = json.array(info.ancestors)
  return info
end

-- The API's own processes are not for the API's users to stop or message:
-- that would stop the server itself.
local function guard(pid)
  if pid == otp.whereis("api_server") or pid == otp.whereis("api_keeper") or pid == otp.whereis("api_lessons")
      or pid == otp.whereis("api_restarts") then
    errors.fail(409, "conflict", "that is a process of the API server itself; it cannot be killed or messaged through the API")
  end
end

local sort_keys = {pid = true, memory = true, reductions = true, message_queue_len = true, name = true}

-- the query of a process list (here and in /api/v1/cluster/processes)
processes.list_params = {
  {name = "offset", ["in"] = "query", type = "integer", default = 0, description = "how many to skip"},
  {name = "limit", ["in"] = "query", type = "integer", default = 100, description = "at most this many (1-1000)"},
  {name = "sort", ["in"] = "query", type = "enum", values = {"pid", "memory", "reductions", "message_queue_len", "name"},
   default = "pid", description = "sort key; numbers sort largest first"},
  {name = "q", ["in"] = "query", type = "string", description = "only processes whose pid, name or label contains this text"}}

op{name = "list_processes", method = "GET", path = "/api/v1/processes",
  deadline_ms = 10000,            -- a sort over 100,000 processes takes a second or two
  description = "Every live process as a process object (process_info plus pid and name), paged and sorted.",
  params = processes.list_params,
  handler = function(p)
    local page, total = processes.list(p)
    return page, {total = total, offset = p.offset, limit = p.limit}
  end}

--- processes.matches(o, q) -> whether q is in the pid, name or label of process object o.
function processes.matches(o, q)
  if not q then return true end
  local text = tostring(o.pid) .. " " .. tostring(o.name or "") .. " " .. tostring(o.label or "")
  return text:find(q, 1, true) ~= nil
end

--- processes.check_page(p): offset and limit in range, or 400.
function processes.check_page(p)
  if p.offset < 0 then errors.fail(400, "badarg", "offset must be 0 or more") end
  if p.limit < 1 or p.limit > 1000 then errors.fail(400, "badarg", "limit must be between 1 and 1000") end
end

--- processes.list{offset=, limit=, sort=, q=} -> one page of process objects, how many matched.
function processes.list(p)
  processes.check_page(p)
  local all = {}
  for _, pid in ipairs(otp.processes()) do
    local o = processes.object(pid)
    if o and processes.matches(o, p.q) then all[#all + 1] = o end
  end
  return processes.page(all, p)
end

-- Sorting 100,000 processes with a Lua comparator is one C call
-- (table.sort) too long to be preempted: each process becomes one sort
-- key that table.sort orders by itself, its place in `all` inside the key
-- breaking ties (so equal values keep the order of otp.processes()).
local SLOT_BITS = 22                         -- up to 4,194,304 processes
local BIGGEST = (1 << (62 - SLOT_BITS)) - 2  -- a number larger sorts with it

local function numeric_keys(all, key)
  local keys = {}
  for i, o in ipairs(all) do
    local v = math.tointeger(o[key]) or -1   -- a field another node did not give sorts last
    if v > BIGGEST then v = BIGGEST end
    keys[i] = ((BIGGEST - v) << SLOT_BITS) | (i - 1)   -- largest first
  end
  table.sort(keys)
  for i, k in ipairs(keys) do keys[i] = (k & ((1 << SLOT_BITS) - 1)) + 1 end
  return keys
end

-- Named processes first, by name (ties in process order), then the
-- unnamed ones in process order: only the few named ones are compared.
local function name_keys(all)
  local named, rest = {}, {}
  for i, o in ipairs(all) do
    if o.name ~= nil then named[#named + 1] = tostring(o.name) .. "\0" .. string.format("%08d", i)
    else rest[#rest + 1] = i end
  end
  table.sort(named)
  for i, k in ipairs(named) do named[i] = tonumber(k:sub(-8), 10) end
  table.move(rest, 1, #rest, #named + 1, named)
  return named
end

--- processes.page(all, {offset=, limit=, sort=}) -> the page of `all` sorted by p.sort, #all.
function processes.page(all, p)
  local key = p.sort
  assert(sort_keys[key])
  local order
  if #all >= 1 << SLOT_BITS then errors.fail(503, "unavailable", "too many processes to sort: page by pid") end
  if key == "name" then order = name_keys(all)
  elseif key ~= "pid" then order = numeric_keys(all, key) end
  local page = json.array()
  for i = p.offset + 1, math.min(#all, p.offset + p.limit) do page[#page + 1] = all[order and order[i] or i] end
  return page, #all
end

op{name = "process_info", method = "GET", path = "/api/v1/processes/{pid}", params = {pid_param},
  description = "One process: process_info plus pid and name.",
  handler = function(p)
    return processes.object(p.pid) or errors.fail(404, "noproc", "the process exited")
  end}

op{name = "process_state", method = "GET", path = "/api/v1/processes/{pid}/state", params = {pid_param},
  description = "The state of a gen_server or supervisor (sys.get_state); 504 if it does not answer.",
  handler = function(p)
    local ok, state = pcall(otp.sys.get_state, p.pid, 1500)
    if not ok then
      local reason = type(state) == "table" and state[1] == "badarg" and state[2] or require("otp.inspect")(state)
      errors.fail(409, "conflict", "the process did not give its state (is it a gen_server? a state "
        .. "holding functions cannot leave its process): " .. tostring(reason))
    end
    return {pid = p.pid, state = state}
  end}

op{name = "process_messages", method = "GET", path = "/api/v1/processes/{pid}/messages", params = {pid_param},
  description = "Copies of the messages waiting in the process's mailbox, oldest first.",
  handler = function(p)
    local msgs = otp.process_info(p.pid, "messages") or {}
    return {pid = p.pid, count = otp.process_info(p.pid, "message_queue_len") or 0, messages = json.array(msgs)}
  end}

op{name = "process_stacktrace", method = "GET", path = "/api/v1/processes/{pid}/stacktrace", params = {pid_param},
  description = "The Lua traceback of the process where it waits or was preempted (process_info current_stacktrace).",
  handler = function(p)
    return {pid = p.pid, current_location = otp.process_info(p.pid, "current_location"),
            stacktrace = otp.process_info(p.pid, "current_stacktrace")}
  end}

op{name = "kill_process", method = "DELETE", path = "/api/v1/processes/{pid}", destructive = true,
  params = {pid_param, {name = "reason", ["in"] = "query", type = "string", default = "kill",
            description = "the exit reason sent (kill is untrappable)"}},
  description = "Sends an exit signal to the process (otp.exit(pid, reason)).",
  handler = function(p)
    guard(p.pid)
    otp.exit(p.pid, p.reason)
    return {pid = p.pid, reason = p.reason, sent = true}
  end}

op{name = "message_process", method = "POST", path = "/api/v1/processes/{pid}/message", destructive = true,
  params = {pid_param},
  body = {required = true, description = '{"type": "send"|"cast"|"call", "message": any, "timeout": ms}',
          fields = {{name = "type", type = "enum", values = {"send", "cast", "call"}, required = true},
                    {name = "message", type = "json", required = true},
                    {name = "timeout", type = "integer"}}},
  description = "Sends a message to the process: plain send, gen_server cast, or gen_server call (answers the reply).",
  handler = function(p, body)
    guard(p.pid)
    local msg = body.message
    if body.type == "send" then
      local ok, err = pcall(otp.send, p.pid, msg)
      if not ok then errors.fail(400, "badarg", tostring(err)) end
      return {sent = true}
    elseif body.type == "cast" then
      gen_server.cast(p.pid, msg)
      return {sent = true}
    end
    local ok, reply = pcall(gen_server.call, p.pid, msg, body.timeout or 1500)
    if not ok then
      local reason = type(reply) == "table" and reply[2] or reply
      if type(reason) == "table" and reason[1] == "timeout" then
        errors.fail(504, "timeout", "the process did not reply in time")
      end
      errors.fail(409, "conflict", "the call failed: " .. require("otp.inspect")(reason))
    end
    return {reply = reply}
  end}

return processes
