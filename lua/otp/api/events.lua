-- otp.api.events: one process per WebSocket client of /api/v1/events. A
-- trace session (kinds and pids from the query) sends it every event; it
-- writes each as a JSON frame into the client's bounded queue (frames the
-- client is too slow for are dropped and reported by the C side), adds
-- tree frames for supervisor events (a restart's names the siblings
-- restarted with the child, and carries the budget after it), one metrics
-- frame per second and a nodes frame when the connected nodes change.
local otp = require "otp"
local net = otp_internal.net
local json = require "otp.api.json"
local budget = require "otp.api.budget"
local events = {}

local tree_kinds = {sup_start_child = "started", sup_restart = "restarted",
                    sup_terminate_child = "terminated", sup_shutdown = "shutdown"}

local function parse(query)
  local opts = {}
  for _, kv in ipairs(query) do
    local list = {}
    for item in kv[2]:gmatch("[^,]+") do list[#list + 1] = item end
    opts[kv[1]] = list
  end
  return opts
end

-- The connected nodes, watched for the cluster page: a "nodes" frame when
-- the set changes (a nodedown at once, through monitor_node; a new node at
-- the next metrics tick).
local function node_watch(id)
  if otp.node() == "nonode@nohost" then return function() end end
  local known = {}
  return function(gone)
    local now, up, down = {}, json.array(), json.array()
    for _, n in ipairs(otp.nodes()) do now[n] = true end
    if gone then now[gone] = nil end
    for n in pairs(now) do
      if not known[n] then up[#up + 1] = n; pcall(otp.monitor_node, n, true) end
    end
    for n in pairs(known) do if not now[n] then down[#down + 1] = n end end
    known = now
    if #up == 0 and #down == 0 then return end
    local list = json.array()
    for n in pairs(now) do list[#list + 1] = n end
    table.sort(list)
    net.ws_send(id, json.encode{type = "nodes", node = otp.node(), nodes = list, up = up, down = down})
  end
end

function events.client(id, query)
  otp.set_label("events_client")
  local opts = parse(query)
  local trace_opts = {to = otp.self(), max_queue = 10000}
  if opts.kinds then trace_opts.kinds = opts.kinds end
  -- a query it cannot follow: one error frame, then the connection closes
  local function refuse(code, message)
    net.ws_send(id, json.encode{type = "error", error = {code = code, message = message}})
    net.ws_close(id)
  end
  if opts.pids then
    local pids = {}
    for _, text in ipairs(opts.pids) do
      local ok, pid = pcall(require("otp.api.errors").pid, text)
      if not ok then return refuse("noproc", "pids: " .. tostring(pid)) end
      pids[#pids + 1] = pid
    end
    trace_opts.pids = pids
  end
  local ok, session = pcall(otp.trace.start, trace_opts)
  if not ok then return refuse("badarg", tostring(session)) end
  -- a restart's group is read from the stop and start events: only a stream that has them can say it
  local groups
  local wanted = {}
  for _, k in ipairs(opts.kinds or {}) do wanted[k] = true end
  if not opts.kinds or (wanted.sup_start_child and wanted.sup_terminate_child) then
    groups = require("otp.api.restart_groups").new()
  end
  net.ws_send(id, json.encode{type = "hello", kinds = opts.kinds, queue = net.stats().ws_queue_max})
  local watch_nodes = node_watch(id)
  watch_nodes()
  local next_metrics = otp.monotonic_time() + 1000
  local last = {r = otp.statistics("reductions")[1], m = otp.statistics("messages_sent"), t = otp.monotonic_time()}
  while true do
    local wait = math.max(0, next_metrics - otp.monotonic_time())
    local msg = otp.receive(nil, wait)
    if msg and msg[1] == "trace" then
      local ev = msg[2]
      if net.ws_send(id, json.encode{type = "event", event = ev}) == nil then return end
      local change = tree_kinds[ev.kind]
      if change then
        -- a restart's frame names the siblings restarted with the child and the budget after it
        local frame = {type = "tree", change = change, event = ev, group = groups and groups:feed(ev)}
        if frame.group then frame.group = json.array(frame.group) end
        if ev.kind == "sup_restart" then frame.budget = budget(ev.pid) end
        if net.ws_send(id, json.encode(frame)) == nil then return end
      end
    elseif msg and msg[1] == "nodedown" then
      watch_nodes(msg[2])
    elseif not msg then
      watch_nodes()
      local now = otp.monotonic_time()
      local r, m = otp.statistics("reductions")[1], otp.statistics("messages_sent")
      local s = math.max(1, now - last.t) / 1000
      local status = session:status()
      local frame = {type = "metrics", process_count = otp.statistics("process_count"),
                     run_queue = otp.statistics("run_queue"), reductions_per_s = (r - last.r) / s,
                     messages_per_s = (m - last.m) / s, memory = otp.memory("total"),
                     trace_dropped = status.dropped_to_subscriber, client = net.ws_info(id)}
      last = {r = r, m = m, t = now}
      next_metrics = now + 1000
      if net.ws_send(id, json.encode(frame)) == nil then return end
    end
  end
end

return events
