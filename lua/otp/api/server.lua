-- otp.api.server: the API server process of `otplab serve`. The C server
-- (runtime/net) posts each request to it as a message; it routes it and
-- spawns a worker process that runs the operation's handler, monitored
-- under a deadline kept in one heap: a handler stuck in a call answers 504
-- in bounded time and is killed, it never holds up the server.
local otp = require "otp"
local net = otp_internal.net
local json = require "otp.api.json"
local registry = require "otp.api.registry"
local errors = require "otp.api.errors"
require "otp.api.operations"

local server = {}
server.deadline_ms = 2000

local function envelope_error(status, code, message)
  return json.encode{success = false, error = {code = code, message = message},
                     timestamp = otp.system_time()}
end

local coerce = {}
function coerce.string(v) return v end
function coerce.integer(v)
  local n = math.tointeger(tonumber(v))
  if not n then return nil, "a whole number" end
  return n
end
function coerce.boolean(v)
  if v == "true" or v == true then return true elseif v == "false" or v == false then return false end
  return nil, "true or false"
end
function coerce.pid(v) return errors.pid(v) end
function coerce.enum(v, p)
  for _, ok in ipairs(p.values) do if v == ok then return v end end
  return nil, "one of " .. table.concat(p.values, ", ")
end
function coerce.json(v) return v end

local function read_params(op, path_values, query)
  local given = {}
  for _, kv in ipairs(query) do given[kv[1]] = kv[2] end
  local params = {}
  for _, p in ipairs(op.params) do
    local raw = p["in"] == "path" and path_values[p.name] or given[p.name]
    if raw == nil or raw == "" then
      if p.required then errors.fail(400, "badarg", "the parameter '" .. p.name .. "' is required") end
      params[p.name] = p.default
    else
      local v, want = coerce[p.type](raw, p)
      if v == nil and p["in"] == "path" then    -- a path that names nothing
        errors.fail(404, "not_found", "nothing here: '" .. tostring(raw) .. "' is not " .. want
                    .. " (the path's " .. p.name .. ")")
      elseif v == nil then
        errors.fail(400, "badarg", "the parameter '" .. p.name .. "' must be " .. want .. ", got '" .. tostring(raw) .. "'")
      end
      params[p.name] = v
    end
  end
  return params
end

local function read_body(op, text)
  if not op.body then return nil end
  if text == "" then
    if op.body.required then errors.fail(400, "badarg", "this operation needs a JSON body: " .. op.body.description) end
    return {}
  end
  local body, err = json.decode(text)
  if body == nil then errors.fail(400, "badarg", "the body is not valid JSON: " .. err) end
  -- an array decodes to a table too
  if type(body) ~= "table" or not text:match("^%s*{") then
    errors.fail(400, "badarg", "the body must be a JSON object: " .. op.body.description)
  end
  for _, f in ipairs(op.body.fields or {}) do
    local v = body[f.name]
    if v == nil or v == json.null then
      if f.required then errors.fail(400, "badarg", "the body needs the field '" .. f.name .. "'") end
    elseif f.type ~= "json" then
      local ok, want = coerce[f.type](v, f)
      if ok == nil or (f.type == "string" and type(v) ~= "string") then
        errors.fail(400, "badarg", "the field '" .. f.name .. "' must be " .. (want or "a string"))
      end
      body[f.name] = ok
    end
  end
  return body
end

-- Runs in a worker process: checks the input, calls the handler, replies.
-- op_name and values are the route the API server matched (or nil, why).
local function handle(id, method, path, query, body_text, op_name, values)
  local ok, status, text = pcall(function()
    local op = op_name and registry.by_name(op_name)
    if not op then
      if values == "method" then
        local _, _, allowed = registry.match(method, path)
        errors.fail(405, "badarg", method .. " is not allowed on " .. path .. ": use " .. table.concat(allowed, " or "))
      end
      errors.fail(404, "not_found", "no such resource: " .. path .. " (GET /api/v1/operations lists them)")
    end
    local params = read_params(op, values, query)
    local body = read_body(op, body_text)
    local data, extra, code = op.handler(params, body)
    if op.raw then return code or 200, data end
    local out = {success = true, data = data, timestamp = otp.system_time()}
    for k, v in pairs(extra or {}) do out[k] = v end
    return code or 200, json.encode(out)
  end)
  if ok then return net.reply(id, status, text) end
  if errors.is_api_error(status) then
    return net.reply(id, status.status, envelope_error(status.status, status.code, status.message))
  end
  net.reply(id, 500, envelope_error(500, "internal", "the operation failed: " .. tostring(status)))
end

-- The requests in flight: a worker per request, monitored by the API
-- server, under its deadline (the operation's own, or server.deadline_ms);
-- an answer however it ends (500 if the worker dies, 504 at the deadline).
local inflight, by_deadline = {}, require("otp.api.deadlines").new()

local function start_request(id, method, path, query, body)
  local op, values = registry.match(method, path)
  local deadline = op and op.deadline_ms or server.deadline_ms
  local worker, ref = otp.spawn_monitor(handle, id, method, path, query, body, op and op.name, values)
  net.server_process(worker)
  local entry = {at = otp.monotonic_time() + deadline, ref = ref, worker = worker, id = id, deadline = deadline}
  inflight[ref] = entry
  by_deadline:push(entry)
end

local function request_done(down)
  local entry = inflight[down[2]]
  if not entry then return false end
  inflight[down[2]] = nil
  entry.done = true
  if down[5] ~= "normal" then
    local why = down[5]                 -- {"error", message, traceback} for an uncaught error
    if type(why) == "table" and why[1] == "error" then why = why[2] end
    net.reply(entry.id, 500, envelope_error(500, "internal", "the operation's process exited: "
                                             .. (type(why) == "string" and why or otp.inspect(why))))
  end
  return true
end

-- Stops the requests past their deadline; returns ms until the next one (or nil).
local function expire()
  local now = otp.monotonic_time()
  while true do
    local e = by_deadline:peek()
    if not e then return nil end
    if not e.done then
      if e.at > now then return e.at - now end
      inflight[e.ref] = nil
      otp.demonitor(e.ref, {flush = true})
      otp.exit(e.worker, "kill")
      net.reply(e.id, 504, envelope_error(504, "timeout", "the operation did not finish within "
        .. e.deadline .. " ms (a process it called may be stuck); it was stopped"))
    end
    by_deadline:pop()
  end
end

local function start_file(file)
  otp.set_label("serve_file")
  if file then
    local chunk, err = loadfile(file)
    if not chunk then
      io.stderr:write("otplab serve: ", err, "\n")
      otp.exit("bad_file")
    end
    chunk()
  else
    require("otp.demo").start()
  end
  otp.receive(function() return false end)   -- stays the parent of what it started
end

-- The messages the C side posts have these shapes; anything else a process
-- sends the server is ignored rather than allowed to crash it.
local function well_formed(msg)
  local kind, id = msg[1], math.type(msg[2]) == "integer"
  if kind == "http" then
    return id and type(msg[3]) == "string" and type(msg[4]) == "string" and type(msg[5]) == "table"
      and type(msg[6]) == "string"
  elseif kind == "ws_open" then
    return id and type(msg[4]) == "table"
  elseif kind == "ws_close" then
    return id
  end
  return true
end

--- server.main(file[, opts]): attaches to the C server and serves until a
--- signal; starts FILE (or the demo tree) unless opts.beside_console (the
--- console's user starts what they want).
function server.main(file, opts)
  otp.set_label("api_server")
  otp.register("api_server", otp.self())
  net.attach()
  otp.trap_exit(true)
  -- the restart ledger first: it counts restarts from FILE's first event on
  otp.register("api_restarts", otp.spawn_link(require("otp.api.restart_ledger").main))
  if not (opts and opts.beside_console) then otp.spawn_link(start_file, file) end
  local keeper = otp.spawn_link(require("otp.api.keeper").main)
  net.server_process(keeper)
  otp.register("api_keeper", keeper)
  otp.register("api_lessons", otp.spawn_link(require("otp.api.lesson_runner").main))
  local events = require "otp.api.events"
  local clients = {}
  while true do
    local msg = otp.receive(nil, expire())
    local kind = type(msg) == "table" and well_formed(msg) and msg[1]
    if msg == nil or not kind then
      -- a deadline passed (expire() runs again at the top), or junk
    elseif kind == "http" then
      start_request(msg[2], msg[3], msg[4], msg[5], msg[6])
    elseif kind == "DOWN" and request_done(msg) then
      -- a request finished
    elseif kind == "ws_open" then
      -- an event stream's process counts as the node's own work, not the
      -- server's: it follows the tracing its client asked for, which the
      -- share of the requests should not pay for
      clients[msg[2]] = otp.spawn(events.client, msg[2], msg[4])
    elseif kind == "ws_close" then
      local pid = clients[msg[2]]
      clients[msg[2]] = nil
      if pid then otp.exit(pid, "kill") end
    elseif kind == "signal" then
      return
    elseif kind == "EXIT" and msg[3] ~= "normal" then
      io.stderr:write("otplab serve: the processes of the file exited: ", require("otp.inspect")(msg[3]), "\n")
    end
  end
end

return server
