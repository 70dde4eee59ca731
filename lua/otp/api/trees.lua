-- otp.api.trees: every supervision tree in one answer (GET /api/v1/trees),
-- for a dashboard that shows thousands of supervisors: each supervisor
-- with its parent, strategy, budget and children, and each child's restart
-- count as the restart ledger counts them (siblings restarted with a
-- failing child included). One budget alone: GET .../budget.
local otp = require "otp"
local json = require "otp.api.json"
local op = require("otp.api.registry").op
local errors = require "otp.api.errors"
local ledger = require "otp.api.restart_ledger"
local budget = require "otp.api.budget"
local supervisor = otp.supervisor
local analytics = otp.analytics

local trees = {}

local function name_of(pid)
  return otp.process_info(pid, "registered_name") or otp.process_info(pid, "label")
end

local function child_list(pid, restarts)
  local ok, kids = pcall(supervisor.which_children, pid)
  if not ok then return nil end
  local list = json.array()
  -- which_children lists the newest first; a tree reads in start order
  for i = #kids, 1, -1 do
    local c = kids[i]
    local id = tostring(c.id)
    list[#list + 1] = {id = id, pid = c.pid, type = c.type, name = type(c.pid) ~= "string" and name_of(c.pid) or nil,
                       restarts = restarts and restarts[id] or 0}
  end
  return list
end

op{name = "supervision_trees", method = "GET", path = "/api/v1/trees", deadline_ms = 30000,
  description = "Every live supervisor with its children in start order (id, pid, type, name, restarts: automatic restarts "
    .. "including those with a failing sibling under one_for_all/rest_for_one), parent supervisor, strategy and budget; "
    .. "seq is the last trace event counted, so a client applies only later tree frames.",
  handler = function()
    local counts, seq = ledger.counts()
    local list, parent = json.array(), {}
    for _, s in ipairs(analytics.stats()) do
      local children = s.alive and child_list(s.sup, counts[s.sup])
      if children then
        list[#list + 1] = {pid = s.sup, name = name_of(s.sup), strategy = s.strategy,
                           dynamic = s.dynamic, restarts = s.restarts, budget = budget(s.sup), children = children}
        for _, c in ipairs(children) do
          if c.type == "supervisor" and type(c.pid) ~= "string" then parent[c.pid] = s.sup end
        end
      end
    end
    for _, s in ipairs(list) do s.parent = parent[s.pid] end
    return list, {total = #list, seq = seq}
  end}

op{name = "supervisor_budget", method = "GET", path = "/api/v1/supervisors/{sup}/budget",
  params = {{name = "sup", ["in"] = "path", type = "string", description = "a supervisor's registered name or pid (0.2.0)"}},
  description = "The restart budget: restarts counted in the current period, the intensity, the period, and expires_in_ms "
    .. "(when the oldest counted restart stops counting; absent when none counts).",
  handler = function(p)
    local pid = errors.pid(p.sup)
    return budget(pid) or errors.fail(404, "noproc", p.sup .. " is not a supervisor: list them with GET /api/v1/supervisors")
  end}

return trees
