-- otp.console.tree: the live supervision trees as text, for the console's
-- tree() and sups() and for lessons (API.md sections 6 and 8).
--
--   demo_sup <0.2.0> one_for_one, restarts 1 [#--] 1 of 3 in 5 s
--   ├─ counter_a <0.14.0> worker, restarted 1x
--   ├─ pipeline <0.6.0> rest_for_one, restarts 0 [---] 0 of 3 in 5 s
--   │  ├─ producer <0.7.0> worker
--   ...
--
-- Every number comes from the live node: which_children, the analytics'
-- restart history and budget. Lines stay within 80 columns; a supervisor
-- with many children shows the first MAX_CHILDREN and "... N more children".

local otp = require "otp"
local supervisor = require "otp.supervisor"
local dynamic_supervisor = require "otp.dynamic_supervisor"
local analytics = otp.analytics

local tree = {}

local WIDTH = 80
local MAX_CHILDREN = 20
local METER_CELLS = 10

-- Every live supervisor: pid -> its analytics.stats() entry.
local function supervisors()
  local by_pid = {}
  for _, s in ipairs(analytics.stats()) do
    if s.alive and otp.is_alive(s.sup) then by_pid[tostring(s.sup)] = s end
  end
  return by_pid
end

local function plain(pid) return tostring(pid) end

local function by_serial(a, b)
  local x = tonumber(plain(a.sup):match("^<%d+%.(%d+)")) or 0
  local y = tonumber(plain(b.sup):match("^<%d+%.(%d+)")) or 0
  return x < y
end

local function name_of(pid)
  return otp.process_info(pid, "registered_name") or otp.process_info(pid, "label")
end

--- meter(budget) -> "[##--] 2 of 3 in 5 s"
function tree.meter(budget)
  local cells = math.min(budget.intensity, METER_CELLS)
  local used = budget.intensity > 0 and math.floor(budget.used * cells / budget.intensity + 0.5) or 0
  used = math.min(used, cells)
  return string.format("[%s%s] %d of %d in %s s", string.rep("#", used), string.rep("-", cells - used),
                       budget.used, budget.intensity, tostring(budget.period))
end

local function children_of(s)
  local ok, list
  if s.dynamic then ok, list = pcall(dynamic_supervisor.which_children, s.sup)
  else ok, list = pcall(supervisor.which_children, s.sup) end
  if not ok or type(list) ~= "table" then return {} end
  if s.dynamic then return list end     -- already in start order
  local ordered = {}                     -- a static supervisor's is newest first
  for i = #list, 1, -1 do ordered[#ordered + 1] = list[i] end
  return ordered
end

local function restarts_by_id(s)
  local counts = {}
  local ok, history = pcall(analytics.restart_history, s.sup)
  if ok and type(history) == "table" then
    for _, r in ipairs(history) do counts[tostring(r.id)] = (counts[tostring(r.id)] or 0) + 1 end
  end
  return counts
end

local function fit(line)
  if #line <= WIDTH then return line end
  return line:sub(1, WIDTH - 3) .. "..."
end

local function sup_summary(s)
  return string.format("%s, restarts %d %s", s.strategy, s.restarts, tree.meter(s.budget))
end

-- "<0.14.0>" when the pid is registered as the child's id, else with its name.
local function who(id, pid)
  if type(pid) ~= "userdata" then return "(" .. tostring(pid or "not running") .. ")" end
  local name = name_of(pid)
  if name and name ~= id then return plain(pid):sub(1, -2) .. " " .. name .. ">" end
  return plain(pid)
end

local function render(out, s, sups, prefix, label)
  out[#out + 1] = fit(string.format("%s%s %s", label, who(label:match("(%S+) $"), s.sup),
                                    sup_summary(s)))
  local children = children_of(s)
  local restarts = restarts_by_id(s)
  local shown = math.min(#children, MAX_CHILDREN)
  for i = 1, shown do
    local child = children[i]
    local last = i == #children
    local branch, further = last and "└─ " or "├─ ", last and "   " or "│  "
    local id = tostring(child.id)
    local sub = type(child.pid) == "userdata" and sups[tostring(child.pid)]
    if sub then
      render(out, sub, sups, prefix .. further, prefix .. branch .. id .. " ")
    else
      local n = restarts[id]
      local line = string.format("%s%s%s %s %s", prefix, branch, id, who(id, child.pid),
                                 child.type or "worker")
      if n then line = line .. string.format(", restarted %dx", n) end
      out[#out + 1] = fit(line)
    end
  end
  if #children > shown then
    out[#out + 1] = string.format("%s└─ ... %d more children", prefix, #children - shown)
  end
end

--- lines([sup]) -> array of lines: every supervision tree, or sup's.
function tree.lines(sup)
  local sups = supervisors()
  local out = {}
  if sup ~= nil then
    local s = sups[tostring(sup)]
    if not s then return nil end
    render(out, s, sups, "", (name_of(sup) or "supervisor") .. " ")
    return out
  end
  local roots = {}
  for key, s in pairs(sups) do
    local parent = otp.process_info(s.sup, "parent")
    if not (parent and sups[tostring(parent)]) then roots[#roots + 1] = s end
  end
  table.sort(roots, by_serial)
  for _, s in ipairs(roots) do render(out, s, sups, "", (name_of(s.sup) or "supervisor") .. " ") end
  return out
end

--- sups() -> array of lines, one per supervisor.
function tree.sups_lines()
  local sups, list = supervisors(), {}
  for _, s in pairs(sups) do list[#list + 1] = s end
  table.sort(list, by_serial)
  local out = {string.format("%-14s %-10s %-13s %8s %8s  %s", "name", "pid", "strategy",
                             "children", "restarts", "budget")}
  for _, s in ipairs(list) do
    out[#out + 1] = fit(string.format("%-14s %-10s %-13s %8d %8d  %s", name_of(s.sup) or "-",
                                      plain(s.sup), s.strategy, s.children, s.restarts,
                                      tree.meter(s.budget)))
  end
  return out
end

return tree
