-- otp.api.cluster_peers: what the connected nodes say of themselves, for
-- /api/v1/cluster: their processes as rows of GET /api/v1/processes, and
-- their figures (process count, memory, run queue).
--
-- Each peer is asked both ways at once, and the first to answer tells what
-- it is: an otplab node runs a small Lua function sent with spawn_on's
-- request (an Erlang node drops that message: it has no such name), an
-- Erlang node answers rex (erlang:processes/0, then process_info/2 of each
-- pid for each item, all sent at once; an otplab node has no rex). A peer that answers neither
-- within the timeout, or goes down meanwhile, is reported with the reason.
local otp = require "otp"

local peers = {}
peers.max_rows = 10000                 -- rows taken from one peer
peers.max_erlang_rows = 1000         -- an Erlang peer costs a call per item per process
-- asked one at a time: a Lua array goes out as a tuple, and process_info/2 wants a list
local ERLANG_ITEMS = {"registered_name", "memory", "message_queue_len", "reductions"}

-- Runs on an otplab peer: its processes and figures, sent back. (A field,
-- not a local: a function crosses to another node as a field of a module
-- the other side loads by name, see core/xcopy.c.)
function peers.rows_on_peer(reply_to, tag, max)
  local rows, total = {}, 0
  for _, pid in ipairs(otp.processes()) do
    local info = otp.process_info(pid)
    if info then
      total = total + 1
      if #rows < max then
        rows[#rows + 1] = {pid = pid, name = info.registered_name or info.label, registered_name = info.registered_name,
                           label = info.label, memory = info.memory, reductions = info.reductions,
                           message_queue_len = info.message_queue_len, status = info.status,
                           current_location = info.current_location, trap_exit = info.trap_exit}
      end
    end
  end
  otp.send(reply_to, {"$cluster_rows", tag, rows, total,
                      {process_count = total, memory = otp.memory("total"), run_queue = otp.statistics("run_queue"),
                       connected_nodes = otp.nodes()}})
end

-- One item of an Erlang process_info/2 answer ({"memory", 10}) into row.
local function erlang_item(row, answer)
  if type(answer) ~= "table" or type(answer[1]) ~= "string" then return end   -- "undefined": it exited
  local value = answer[2]
  if answer[1] == "registered_name" then
    if type(value) == "string" then row.registered_name, row.name = value, value end   -- [] when it has none
  elseif math.type(value) then
    row[answer[1]] = value
  end
end

--- peers.ask(nodes, timeout_ms[, figures_only]) -> {[node] = {kind=, rows=, total=, truncated=, figures=} | {error = why}}
-- figures_only: no rows (for node info and the topology: one call per item, not per process).
function peers.ask(nodes, timeout_ms, figures_only)
  local core = otp_internal.dist_core
  local out, waiting, pending = {}, 0, {}
  local function done(node, answer)
    if out[node] then return end
    out[node] = answer
    waiting = waiting - 1
  end
  for _, node in ipairs(nodes) do
    local st = {node = node, rows_tag = otp.make_ref(), spawn_ref = otp.make_ref(), procs_tag = otp.make_ref(),
                max_rows = figures_only and 0 or nil}
    pending[st.rows_tag], pending[st.spawn_ref], pending[st.procs_tag] = st, st, st
    waiting = waiting + 1
    otp.monitor_node(node, true)
    local ok, why = pcall(function()
      core.spawn_send(node, st.spawn_ref, peers.rows_on_peer, otp.self(), st.rows_tag, st.max_rows or peers.max_rows)
      core.rpc_send(node, "erlang", "processes", {}, st.procs_tag)
    end)
    if not ok then done(node, {error = "cannot ask it: " .. tostring(why)}) end
  end
  local by_node = {}
  for _, st in pairs(pending) do by_node[st.node] = st end
  local deadline = otp.monotonic_time() + timeout_ms
  local function mine(m)
    if type(m) ~= "table" then return false end
    if m[1] == "nodedown" then return by_node[m[2]] ~= nil end
    if m[1] == "$cluster_rows" or m[1] == "$otplab_spawned" then return pending[m[2]] ~= nil end
    return pending[m[1]] ~= nil
  end
  while waiting > 0 do
    local m = otp.receive(mine, math.max(0, deadline - otp.monotonic_time()))
    if m == nil then break end
    if m[1] == "nodedown" then
      done(m[2], {error = "it went down while being asked"})
    elseif m[1] == "$cluster_rows" then
      local st = pending[m[2]]
      done(st.node, {kind = "otplab", rows = m[3], total = m[4], figures = m[5], truncated = m[4] > #m[3] and not st.max_rows})
    elseif m[1] == "$otplab_spawned" then
      local st = pending[m[2]]
      if not m[3] then st.refused = tostring(m[4]) end     -- wait for rex: it may be Erlang after all
    else
      local st = pending[m[1]]
      peers.on_rex(st, m, pending, done)
    end
  end
  for _, node in ipairs(nodes) do
    otp.monitor_node(node, false)
    local st = by_node[node]
    if not out[node] then
      out[node] = {error = st.refused and ("it refused the request: " .. st.refused)
        or ("it did not answer within " .. timeout_ms .. " ms (neither as an otplab node nor through rex)")}
    end
  end
  return out
end

-- The Erlang half: erlang:processes() answered, then one process_info per
-- pid and the node's figures, all sent at once; done when all came back.
function peers.on_rex(st, m, pending, done)
  local core = otp_internal.dist_core
  local result = m[2]
  if m[1] == st.procs_tag then
    if type(result) ~= "table" or result[1] == "badrpc" then
      return done(st.node, {error = "rex answered " .. require("otp.inspect")(result)})
    end
    st.rows, st.total, st.left = {}, #result, 0
    st.figures = {process_count = #result}
    local function call(fn_module, fn, args, on_answer)
      local tag = otp.make_ref()
      pending[tag] = st
      st.calls = st.calls or {}
      st.calls[tag] = on_answer
      st.left = st.left + 1
      core.rpc_send(st.node, fn_module, fn, args, tag)
    end
    for i = 1, math.min(#result, st.max_rows or peers.max_erlang_rows) do
      local row = {pid = result[i]}
      st.rows[#st.rows + 1] = row
      for _, item in ipairs(ERLANG_ITEMS) do
        call("erlang", "process_info", {result[i], item}, function(answer) erlang_item(row, answer) end)
      end
    end
    call("erlang", "memory", {"total"}, function(v) st.figures.memory = math.type(v) and v or nil end)
    call("erlang", "statistics", {"run_queue"}, function(v) st.figures.run_queue = math.type(v) and v or nil end)
    call("erlang", "nodes", {"connected"}, function(v) st.figures.connected_nodes = type(v) == "table" and v or nil end)
    return
  end
  local on_answer = st.calls and st.calls[m[1]]
  if not on_answer then return end
  st.calls[m[1]] = nil
  pending[m[1]] = nil
  on_answer(result)
  st.left = st.left - 1
  if st.left == 0 then
    local alive = {}                         -- a process that exited meanwhile answered nothing
    for _, row in ipairs(st.rows) do if row.memory then alive[#alive + 1] = row end end
    done(st.node, {kind = "erlang", rows = alive, total = st.total, figures = st.figures,
                   truncated = not st.max_rows and st.total > peers.max_erlang_rows})
  end
end

return peers
