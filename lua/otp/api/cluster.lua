-- otp.api.cluster: /api/v1/cluster (API.md sections 10 and 11): the nodes
-- this node knows. A node started without --sname is not distributed: the
-- cluster is this node alone, and the answers say so (distributed: false).
-- With --sname the peers are the nodes connected to this one (otp.nodes()).
-- otplab cannot ask another node anything yet (no rpc), so of a peer only
-- what this node sees is shown: that it is connected; its processes are
-- listed as not available, never invented.
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"
local system = require "otp.api.system"
local processes = require "otp.api.processes"

local remote_unknown = "otplab cannot ask another node for its processes or statistics yet (no rpc): "
  .. "only the connection is known"

local function distributed() return otp.node() ~= "nonode@nohost" end

local function peers()
  local list = json.array()
  for _, n in ipairs(otp.nodes()) do list[#list + 1] = n end
  return list
end

local function self_info()
  local h = system.health()
  return {node = otp.node(), self = true, distributed = distributed(), status = h.status,
          reasons = h.reasons, process_count = h.process_count, run_queue = h.run_queue,
          memory = otp.memory(), reductions = otp.statistics("reductions")[1],
          messages_sent = otp.statistics("messages_sent"), connected_nodes = peers()}
end

local function peer_info(n)
  return {node = n, self = false, connected = true, status = "connected", details = remote_unknown}
end

op{name = "cluster_health", method = "GET", path = "/api/v1/cluster/health",
  description = "This node's health and every node connected to it; distributed is false when the node was started without --sname (then the cluster is this node alone).",
  handler = function()
    local me = system.health()
    local nodes = json.array{{node = otp.node(), self = true, status = me.status, reasons = me.reasons}}
    for _, n in ipairs(peers()) do nodes[#nodes + 1] = peer_info(n) end
    return {distributed = distributed(), node = otp.node(), status = me.status, connected = #nodes - 1,
            nodes = nodes}
  end}

op{name = "cluster_topology", method = "GET", path = "/api/v1/cluster/topology",
  description = "The nodes and the connections this node has (a peer's own connections are not known here).",
  handler = function()
    local nodes, edges = json.array{{node = otp.node(), self = true}}, json.array()
    for _, n in ipairs(peers()) do
      nodes[#nodes + 1] = {node = n, self = false}
      edges[#edges + 1] = {from = otp.node(), to = n, kind = "connection"}
    end
    return {distributed = distributed(), node = otp.node(), nodes = nodes, edges = edges}
  end}

op{name = "cluster_node_info", method = "GET", path = "/api/v1/cluster/nodes/{node}/info",
  params = {{name = "node", ["in"] = "path", type = "string", description = "a node name (name@host), as the topology lists them"}},
  description = "One node: for this node its health, counts and memory; for a connected peer what this node knows of it.",
  handler = function(p)
    if p.node == otp.node() then return self_info() end
    for _, n in ipairs(peers()) do
      if n == p.node then return peer_info(n) end
    end
    errors.fail(404, "not_found", "no node " .. p.node .. " is this node or connected to it: "
      .. "GET /api/v1/cluster/topology lists them")
  end}

op{name = "cluster_processes", method = "GET", path = "/api/v1/cluster/processes", params = processes.list_params,
  description = "The processes of the cluster, each with its node, paged as GET /api/v1/processes; not_listed names the connected nodes whose processes cannot be listed from here.",
  handler = function(p)
    local page, total = processes.list(p)
    for _, o in ipairs(page) do o.node = otp.node() end
    local not_listed = json.array()
    for _, n in ipairs(peers()) do not_listed[#not_listed + 1] = {node = n, reason = remote_unknown} end
    return page, {total = total, offset = p.offset, limit = p.limit, nodes = json.array{otp.node()},
                  not_listed = not_listed, distributed = distributed()}
  end}

return {}
