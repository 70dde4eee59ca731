-- otp.api.supervisors: /api/v1/supervisors: the live trees, their budgets
-- and restart analytics, and the teaching operations (strategy, simulated
-- failures, children added, deleted and restarted).
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"
local supervisor = otp.supervisor
local analytics = otp.analytics

local function find(text)
  local ok, pid = pcall(errors.pid, text)
  if not ok then
    errors.fail(404, "noproc", "no supervisor " .. text .. " is alive: list them with GET /api/v1/supervisors")
  end
  for _, s in ipairs(analytics.stats()) do
    if s.sup == pid and s.alive then return pid, s end
  end
  errors.fail(404, "noproc", text .. " is not a supervisor: list them with GET /api/v1/supervisors")
end

local function sup_object(s)
  local info = otp.process_info(s.sup) or {}
  return {pid = s.sup, name = info.registered_name or info.label, strategy = s.strategy,
          dynamic = s.dynamic, children = s.children, restarts = s.restarts,
          failure_rate = s.failure_rate, budget = s.budget}
end

local function children(pid)
  local list = json.array()
  for _, c in ipairs(supervisor.which_children(pid)) do
    local info = type(c.pid) ~= "string" and otp.process_info(c.pid) or nil
    list[#list + 1] = {id = c.id, pid = c.pid, type = c.type, name = info and (info.registered_name or info.label)}
  end
  return list
end

local function child_pid(sup, id)
  for _, c in ipairs(supervisor.which_children(sup)) do
    if tostring(c.id) == id then return c.pid end
  end
  errors.fail(404, "not_found", "the supervisor has no child '" .. id .. "'")
end

local sup_param = {name = "sup", ["in"] = "path", type = "string", description = "a supervisor's registered name or pid (0.2.0)"}
local id_param = {name = "id", ["in"] = "path", type = "string", description = "a child id of the supervisor"}

op{name = "list_supervisors", method = "GET", path = "/api/v1/supervisors",
  description = "Every live supervisor: strategy, children, restarts, failure rate and budget.",
  handler = function()
    local list = json.array()
    for _, s in ipairs(analytics.stats()) do
      if s.alive then list[#list + 1] = sup_object(s) end
    end
    return list, {total = #list}
  end}

op{name = "supervisor_info", method = "GET", path = "/api/v1/supervisors/{sup}", params = {sup_param},
  description = "One supervisor: strategy, children (newest first, as which_children), counts and restart budget.",
  handler = function(p)
    local pid, s = find(p.sup)
    local o = sup_object(s)
    o.children = children(pid)
    o.counts = supervisor.count_children(pid)
    return o
  end}

op{name = "supervisor_analytics", method = "GET", path = "/api/v1/supervisors/{sup}/analytics",
  params = {sup_param, {name = "window", ["in"] = "query", type = "integer", default = 60,
            description = "seconds over which failure_rate is computed"}},
  description = "Restart history (oldest first), failure rate (restarts/s over the window) and budget.",
  handler = function(p)
    local pid = find(p.sup)
    if p.window < 1 then errors.fail(400, "badarg", "window must be at least 1 second") end
    return {history = json.array(analytics.restart_history(pid)), failure_rate = analytics.failure_rate(pid, p.window),
            budget = analytics.restart_budget(pid), window = p.window}
  end}

op{name = "set_strategy", method = "PUT", path = "/api/v1/supervisors/{sup}/strategy", destructive = true,
  params = {sup_param},
  body = {required = true, description = '{"strategy": "one_for_one"|"one_for_all"|"rest_for_one", "intensity": n, "period": s}',
          fields = {{name = "strategy", type = "enum", values = {"one_for_one", "one_for_all", "rest_for_one"}, required = true},
                    {name = "intensity", type = "integer"}, {name = "period", type = "integer"}}},
  description = "Changes the restart strategy (and optionally the budget) of a running supervisor.",
  handler = function(p, body)
    local pid = find(p.sup)
    local ok, err = supervisor.set_strategy(pid, body.strategy, body.intensity, body.period)
    if not ok then errors.fail(409, "conflict", "the supervisor refused: " .. require("otp.inspect")(err)) end
    return {strategy = body.strategy, budget = analytics.restart_budget(pid)}
  end}

local function wait_restart(sup, id, old)
  for _ = 1, 200 do
    local pid = child_pid(sup, id)
    if pid ~= old and type(pid) ~= "string" then return pid end
    if not otp.is_alive(sup) then return nil end
    otp.sleep(5)
  end
end

op{name = "simulate_failure", method = "POST", path = "/api/v1/supervisors/{sup}/simulate-failure", destructive = true,
  params = {sup_param},
  body = {required = true, description = '{"child": id, "kind": "kill"|"crash"|"storm"}',
          fields = {{name = "child", type = "string", required = true},
                    {name = "kind", type = "enum", values = {"kill", "crash", "storm"}, required = true}}},
  description = "Fails a child: kill (untrappable exit signal), crash (exit reason simulated_crash) or storm (kills it once more than the budget allows, so the supervisor gives up).",
  handler = function(p, body)
    local sup = find(p.sup)
    local pid = child_pid(sup, body.child)
    if type(pid) == "string" then errors.fail(409, "conflict", "the child is not running (" .. pid .. ")") end
    if body.kind ~= "storm" then
      otp.exit(pid, body.kind == "kill" and "kill" or "simulated_crash")
      return {child = body.child, killed = pid, kind = body.kind}
    end
    local budget = analytics.restart_budget(sup)
    local kills = json.array()
    for _ = 1, budget.intensity - budget.used + 1 do
      kills[#kills + 1] = pid
      otp.exit(pid, "kill")
      pid = wait_restart(sup, body.child, pid)
      if not pid then break end
    end
    return {child = body.child, kind = "storm", killed = kills, supervisor_alive = otp.is_alive(sup)}
  end}

op{name = "add_child", method = "POST", path = "/api/v1/supervisors/{sup}/children", destructive = true,
  params = {sup_param},
  body = {required = true, description = '{"id": id, "module": "lua.module.name", "args": [...] (for a gen_server module: [init_arg, {"name": n}]), "restart": ..., "shutdown": ..., "type": ...}',
          fields = {{name = "id", type = "string", required = true}, {name = "module", type = "string", required = true},
                    {name = "args", type = "json"},
                    {name = "restart", type = "enum", values = {"permanent", "transient", "temporary"}},
                    {name = "type", type = "enum", values = {"worker", "supervisor"}}, {name = "shutdown", type = "json"}}},
  description = "Starts a child from a Lua module (supervisor.start_child): module.start_link(args...), or for a gen_server module gen_server.start_link(module, args[1], args[2]).",
  handler = function(p, body)
    local sup = find(p.sup)
    local ok, mod = pcall(require, body.module)
    local args = type(body.args) == "table" and body.args or {}
    local start
    if ok and type(mod) == "table" and type(mod.start_link) == "function" then
      start = {mod, table.unpack(args)}
    elseif ok and type(mod) == "table" and type(mod.init) == "function" then   -- a gen_server module
      start = {otp.gen_server.start_link, mod, args[1], args[2]}
    else
      errors.fail(400, "badarg", "module '" .. body.module .. "' is neither a gen_server module nor has a start_link function")
    end
    local pid, err = supervisor.start_child(sup, {id = body.id, start = start, restart = body.restart,
                                                  shutdown = body.shutdown, type = body.type})
    if not pid then errors.fail(409, "conflict", "start_child failed: " .. require("otp.inspect")(err)) end
    return {id = body.id, pid = pid}, nil, 201
  end}

op{name = "delete_child", method = "DELETE", path = "/api/v1/supervisors/{sup}/children/{id}", destructive = true,
  params = {sup_param, id_param},
  description = "Terminates the child and deletes its spec (terminate_child, then delete_child).",
  handler = function(p)
    local sup = find(p.sup)
    child_pid(sup, p.id)
    local ok, err = supervisor.terminate_child(sup, p.id)
    if ok then ok, err = supervisor.delete_child(sup, p.id) end
    if not ok then errors.fail(409, "conflict", "could not delete the child: " .. require("otp.inspect")(err)) end
    return {id = p.id, deleted = true}
  end}

op{name = "restart_child", method = "POST", path = "/api/v1/supervisors/{sup}/children/{id}/restart", destructive = true,
  params = {sup_param, id_param},
  description = "Restarts the child by hand: terminate_child then restart_child (not counted against the budget, as in OTP).",
  handler = function(p)
    local sup = find(p.sup)
    local old = child_pid(sup, p.id)
    local ok, err = supervisor.terminate_child(sup, p.id)
    local pid
    if ok then pid, err = supervisor.restart_child(sup, p.id) end
    if not pid then errors.fail(409, "conflict", "could not restart the child: " .. require("otp.inspect")(err)) end
    return {id = p.id, old_pid = old, pid = pid}
  end}
