-- otp.api.cluster: /api/v1/cluster (API.md sections 10 and 11): the nodes
-- this node knows. A node started without --sname is not distributed: the
-- cluster is this node alone, and the answers say so (distributed: false).
-- With --sname the peers are the nodes connected to this one (otp.nodes()),
-- and each is asked what it knows of itself (otp.api.cluster_peers: an
-- otplab node through a spawned function, an Erlang node through rex), with
-- a timeout: a peer that does not answer is listed with the reason, its
-- figures never invented.
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"
local system = require "otp.api.system"
local processes = require "otp.api.processes"
local cluster_peers = require "otp.api.cluster_peers"

local cluster = {}
cluster.peer_timeout_ms = 2000
local DEADLINE_MS = cluster.peer_timeout_ms + 3000

local function distributed() return otp.node() ~= "nonode@nohost" end

local function peers()
  local list = json.array()
  for _, n in ipairs(otp.nodes()) do list[#list + 1] = n end
  return list
end

local function ask(nodes, figures_only)
  if #nodes == 0 then return {} end
  return cluster_peers.ask(nodes, cluster.peer_timeout_ms, figures_only)
end

local function self_info()
  local h = system.health()
  return {node = otp.node(), self = true, kind = "otplab", distributed = distributed(), status = h.status,
          reasons = h.reasons, process_count = h.process_count, run_queue = h.run_queue,
          memory = otp.memory(), reductions = otp.statistics("reductions")[1],
          messages_sent = otp.statistics("messages_sent"), connected_nodes = peers()}
end

-- What a peer said of itself, or why it said nothing.
local function peer_info(n, answer)
  local o = {node = n, self = false, connected = true, status = "connected"}
  if not answer then return o end
  if answer.error then
    o.details = "its figures are not known: " .. answer.error
    return o
  end
  local f = answer.figures or {}
  o.kind, o.process_count, o.run_queue = answer.kind, f.process_count, f.run_queue
  o.memory = f.memory and {total = f.memory} or nil
  return o
end

op{name = "cluster_health", method = "GET", path = "/api/v1/cluster/health", deadline_ms = DEADLINE_MS,
  description = "This node's health and figures and every node connected to it with the figures it gives of itself (or why not); distributed is false when the node was started without --sname (then the cluster is this node alone).",
  handler = function()
    local me = system.health()
    local nodes = json.array{{node = otp.node(), self = true, kind = "otplab", status = me.status, reasons = me.reasons,
                              process_count = me.process_count, run_queue = me.run_queue,
                              memory = {total = otp.memory("total")}}}
    local direct = peers()
    local answers = ask(direct, true)
    for _, n in ipairs(direct) do nodes[#nodes + 1] = peer_info(n, answers[n]) end
    return {distributed = distributed(), node = otp.node(), status = me.status, connected = #nodes - 1,
            nodes = nodes}
  end}

op{name = "cluster_topology", method = "GET", path = "/api/v1/cluster/topology", deadline_ms = DEADLINE_MS,
  description = "The nodes and their connections: this node's, and those each connected node says it has (a node only a peer is connected to is listed with via); a peer that does not answer has its reason in unknown.",
  handler = function()
    local me = otp.node()
    local nodes, edges, unknown = json.array{{node = me, self = true}}, json.array(), json.array()
    local seen, linked = {[me] = true}, {}
    local function edge(a, b, via)
      local key = a < b and a .. " " .. b or b .. " " .. a
      if linked[key] then return end
      linked[key] = true
      edges[#edges + 1] = {from = a, to = b, kind = "connection", seen_by = via}
    end
    local direct = peers()
    for _, n in ipairs(direct) do
      seen[n] = true
      nodes[#nodes + 1] = {node = n, self = false, connected = true}
      edge(me, n, me)
    end
    local answers = ask(direct, true)
    for _, n in ipairs(direct) do
      local a = answers[n]
      if a.error then
        unknown[#unknown + 1] = {node = n, reason = a.error}
      else
        for _, o in ipairs(nodes) do if o.node == n then o.kind = a.kind end end
        for _, other in ipairs(a.figures.connected_nodes or {}) do
          if type(other) == "string" then
            if not seen[other] then
              seen[other] = true
              nodes[#nodes + 1] = {node = other, self = false, connected = false, via = n}
            end
            edge(n, other, n)
          end
        end
      end
    end
    return {distributed = distributed(), node = me, nodes = nodes, edges = edges, unknown = unknown}
  end}

op{name = "cluster_node_info", method = "GET", path = "/api/v1/cluster/nodes/{node}/info", deadline_ms = DEADLINE_MS,
  params = {{name = "node", ["in"] = "path", type = "string", description = "a node name (name@host), as the topology lists them"}},
  description = "One node: for this node its health, counts and memory; for a connected peer what it says of itself (kind otplab or erlang, process count, memory, run queue), or why it said nothing.",
  handler = function(p)
    if p.node == otp.node() then return self_info() end
    for _, n in ipairs(peers()) do
      if n == p.node then return peer_info(n, ask({n}, true)[n]) end
    end
    errors.fail(404, "not_found", "no node " .. p.node .. " is this node or connected to it: "
      .. "GET /api/v1/cluster/topology lists them")
  end}

local process_params = {{name = "node", ["in"] = "query", type = "string",
                         description = "only the processes of this node (name@host)"}}
for _, param in ipairs(processes.list_params) do process_params[#process_params + 1] = param end

op{name = "cluster_processes", method = "GET", path = "/api/v1/cluster/processes", params = process_params,
  deadline_ms = DEADLINE_MS,
  description = "The processes of the cluster, each with its node, paged and sorted as GET /api/v1/processes: this node's and each connected node's (an otplab node through a spawned function, an Erlang node through rex); not_listed names the nodes that did not answer in time and why; per_node counts each node's processes.",
  handler = function(p)
    processes.check_page(p)
    local known = {[otp.node()] = true}
    for _, n in ipairs(peers()) do known[n] = true end
    if p.node and not known[p.node] then
      errors.fail(404, "not_found", "no node " .. p.node .. " is this node or connected to it: "
        .. "GET /api/v1/cluster/topology lists them")
    end
    local all, listed, per_node, not_listed = {}, json.array(), {}, json.array()
    local function add(node, rows)
      local n = 0
      for _, o in ipairs(rows) do
        o.node = node
        n = n + 1
        if processes.matches(o, p.q) then all[#all + 1] = o end
      end
      listed[#listed + 1] = node
      return n
    end
    if not p.node or p.node == otp.node() then
      local mine = {}
      for _, pid in ipairs(otp.processes()) do mine[#mine + 1] = processes.object(pid) end
      per_node[otp.node()] = add(otp.node(), mine)
    end
    local asked = json.array()
    for _, n in ipairs(peers()) do if not p.node or p.node == n then asked[#asked + 1] = n end end
    local answers = ask(asked)
    for _, n in ipairs(asked) do
      local a = answers[n]
      if a.error then
        not_listed[#not_listed + 1] = {node = n, reason = a.error}
      else
        add(n, a.rows)
        per_node[n] = #a.rows              -- the rows listed (a process may have exited meanwhile)
        if a.truncated then
          not_listed[#not_listed + 1] = {node = n, partial = true, listed = #a.rows, total = a.total,
                                         reason = "only its first " .. #a.rows .. " processes are listed"}
        end
      end
    end
    local page, total = processes.page(all, p)
    return page, {total = total, offset = p.offset, limit = p.limit, nodes = listed, per_node = per_node,
                  not_listed = not_listed, distributed = distributed()}
  end}

return cluster
