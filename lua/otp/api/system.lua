-- otp.api.system: /api/v1/system: health and metrics of the live node
-- (rates are measured over a short window by the request itself), and the
-- graph of links, monitors and supervision edges.
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local net = require "otp.net"

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

op{name = "system_health", method = "GET", path = "/api/v1/system/health",
  description = "ok, or degraded with the reasons: supervisors at their restart budget, a long run queue, memory near the node's cap.",
  handler = function()
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
  end}

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

return system
