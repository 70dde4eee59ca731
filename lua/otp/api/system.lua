-- otp.api.system: /api/v1/system: health and metrics of the live node
-- (rates are measured over a short window by the request itself), and the
-- graph of links, monitors and supervision edges.
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local net = otp_internal.net

local system = {}

--- system.sample(window_ms) -> the node's counters and their rates over window_ms.
function system.sample(window_ms)
  local r0, m0, c0, t0 = otp.statistics("reductions")[1], otp.statistics("messages_sent"),
                         otp.statistics("context_switches"), otp.monotonic_time("microsecond")
  otp.sleep(window_ms)
  local r1, m1, c1, t1 = otp.statistics("reductions")[1], otp.statistics("messages_sent"),
                         otp.statistics("context_switches"), otp.monotonic_time("microsecond")
  local s = (t1 - t0) / 1e6
  return {process_count = otp.statistics("process_count"), run_queue = otp.statistics("run_queue"),
          reductions = r1, reductions_per_s = (r1 - r0) / s, messages_sent = m1,
          messages_per_s = (m1 - m0) / s, context_switches_per_s = (c1 - c0) / s,
          memory = otp.memory(), window_ms = window_ms, server = net.stats()}
end

op{name = "system_metrics", method = "GET", path = "/api/v1/system/metrics",
  params = {{name = "window", ["in"] = "query", type = "integer", default = 200,
             description = "milliseconds over which the rates are measured (10-1000)"}},
  description = "Process count, run queue, reductions/s, messages/s, memory by kind and the server's own counters.",
  handler = function(p)
    return system.sample(math.max(10, math.min(1000, p.window)))
  end}

--- system.health() -> {status = "ok"|"degraded", reasons, process_count, run_queue, memory}
function system.health()
  local reasons = json.array()
  for _, s in ipairs(otp.analytics.stats()) do
    if s.alive and s.budget.intensity > 0 and s.budget.used >= s.budget.intensity then
      reasons[#reasons + 1] = tostring(s.sup) .. " has used its whole restart budget ("
        .. s.budget.used .. " of " .. s.budget.intensity .. " in " .. s.budget.period .. " s)"
    end
  end
  local rq = otp.statistics("run_queue")
  if rq > 100 then reasons[#reasons + 1] = "run queue is " .. rq .. " processes long" end
  return {status = #reasons == 0 and "ok" or "degraded", reasons = reasons,
          process_count = otp.statistics("process_count"), run_queue = rq,
          memory = otp.memory("total")}
end

op{name = "system_health", method = "GET", path = "/api/v1/system/health",
  description = "ok, or degraded with the reasons: supervisors at their restart budget, a long run queue, memory near the node's cap.",
  handler = function() return system.health() end}

op{name = "system_graph", method = "GET", path = "/api/v1/system/graph",
  description = "Nodes (processes) and edges: links, monitors and supervision (supervisor -> child).",
  handler = function()
    local nodes, edges, seen = json.array(), json.array(), {}
    for _, pid in ipairs(otp.processes()) do
      local info = otp.process_info(pid)
      if info then
        nodes[#nodes + 1] = {pid = pid, name = info.registered_name or info.label, status = info.status}
        for _, peer in ipairs(info.links or {}) do
          local a, b = tostring(pid), tostring(peer)
          local key = a < b and a .. b or b .. a
          if not seen[key] then seen[key] = true; edges[#edges + 1] = {kind = "link", from = pid, to = peer} end
        end
        for _, m in ipairs(info.monitors or {}) do
          edges[#edges + 1] = {kind = "monitor", from = pid, to = type(m) == "table" and m[2] or m}
        end
      end
    end
    for _, s in ipairs(otp.analytics.stats()) do
      if s.alive then
        for _, c in ipairs(otp.supervisor.which_children(s.sup)) do
          if type(c.pid) ~= "string" then edges[#edges + 1] = {kind = "supervises", from = s.sup, to = c.pid, id = c.id} end
        end
      end
    end
    return {nodes = nodes, edges = edges}
  end}


local function top(infos, key, n)
  table.sort(infos, function(a, b) return a[key] > b[key] end)
  local out = json.array()
  for i = 1, math.min(n, #infos) do
    local o = infos[i]
    out[#out + 1] = {pid = o.pid, name = o.name, [key] = o[key], status = o.status}
  end
  return out
end

local function snapshot()
  local infos = {}
  for _, pid in ipairs(otp.processes()) do
    local i = otp.process_info(pid)
    if i then
      infos[#infos + 1] = {pid = pid, name = i.registered_name or i.label, status = i.status,
                           message_queue_len = i.message_queue_len, reductions = i.reductions, memory = i.memory}
    end
  end
  return infos
end

op{name = "system_bottlenecks", method = "GET", path = "/api/v1/system/bottlenecks",
  params = {{name = "n", ["in"] = "query", type = "integer", default = 5, description = "how many per list (1-50)"}},
  description = "The processes with the longest mailboxes, the most reductions and the most memory, and the run queue.",
  handler = function(p)
    local n = math.max(1, math.min(50, p.n))
    local infos = snapshot()
    local copy = function() local t = {}; for i, v in ipairs(infos) do t[i] = v end; return t end
    return {run_queue = otp.statistics("run_queue"), by_mailbox = top(copy(), "message_queue_len", n),
            by_reductions = top(copy(), "reductions", n), by_memory = top(copy(), "memory", n)}
  end}

op{name = "system_anomalies", method = "GET", path = "/api/v1/system/anomalies",
  params = {{name = "window", ["in"] = "query", type = "integer", default = 200,
             description = "milliseconds over which growing mailboxes are measured (10-2000)"}},
  description = "Mailboxes that grew over the window, supervisors near or at their restart budget, restart storms (restarts/s over 10 s above the budget's pace) and processes holding over a quarter of process memory.",
  handler = function(p)
    local window = math.max(10, math.min(2000, p.window))
    local before = {}
    for _, i in ipairs(snapshot()) do before[tostring(i.pid)] = i.message_queue_len end
    otp.sleep(window)
    local list = json.array()
    local total = otp.memory("processes")
    for _, i in ipairs(snapshot()) do
      local was = before[tostring(i.pid)]
      if was and i.message_queue_len > was and i.message_queue_len >= 10 then
        list[#list + 1] = {kind = "growing_mailbox", pid = i.pid, name = i.name, from = was, to = i.message_queue_len,
                           window_ms = window}
      end
      if total > 0 and i.memory > total / 4 and total > (1 << 20) then
        list[#list + 1] = {kind = "memory_share", pid = i.pid, name = i.name, memory = i.memory, share = i.memory / total}
      end
    end
    for _, s in ipairs(otp.analytics.stats()) do
      if s.alive then
        local b = s.budget
        if b.intensity > 0 and b.used >= b.intensity - 1 and b.used > 0 then
          list[#list + 1] = {kind = "budget", pid = s.sup, used = b.used, intensity = b.intensity, period = b.period}
        end
        local rate = otp.analytics.failure_rate(s.sup, 10)
        if b.period > 0 and rate > b.intensity / b.period then
          list[#list + 1] = {kind = "restart_storm", pid = s.sup, restarts_per_s = rate, budget_pace = b.intensity / b.period}
        end
      end
    end
    return list, {total = #list}
  end}

return system
