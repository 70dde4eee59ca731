-- otp.tree: a live supervision tree as text, for lessons and the console.
--
--   print(require("otp.tree").render(sup))
--
--   demo_sup <0.3.0>  one_for_one  restarts 1  budget [#--] 1 of 3 in 5 s
--   ├── counter_a <0.4.0 counter_a>  worker
--   ├── pipeline <0.7.0 pipeline>  rest_for_one  restarts 0  budget [---] 0 of 3 in 5 s
--   │   └── producer <0.8.0 producer>  worker
--   └── lost  restarting  worker
--
-- Children appear in start order (which_children gives newest first), each
-- with its id, its pid (with its registered name or label, as otp.inspect
-- prints it) or "undefined"/"restarting", and its type; a supervisor child
-- is opened in turn. The budget meter is otp.analytics.restart_budget: the
-- restarts counted in the current period against the intensity; one more
-- than the intensity and the supervisor gives up. Everything shown is read
-- from the live node when render is called; nothing is kept.

local otp = require "otp"
local inspect = require "otp.inspect"
local supervisor = require "otp.supervisor"
local sys = require "otp.sys"
local is_pid = otp.supervisor_core.is_pid

local tree = {}

local function pid_text(pid)
  if type(pid) == "string" then return pid end
  return inspect(pid)
end

-- "one_for_one  restarts 1  budget [#--] 1 of 3 in 5 s", from the live supervisor.
local function sup_line(sup)
  local parts = {}
  local ok, state = pcall(sys.get_state, sup, 1000)
  if ok and type(state) == "table" then
    parts[#parts + 1] = state.strategy or "dynamic"
    if state.restarts then parts[#parts + 1] = "restarts " .. state.restarts end
  end
  local budget = otp.analytics.restart_budget(sup)
  if type(budget) == "table" then
    local slots, used = math.max(budget.intensity, 0), budget.used
    local meter = string.rep("#", math.min(used, slots)) .. string.rep("-", math.max(slots - used, 0))
    parts[#parts + 1] = string.format("budget [%s] %d of %d in %d s", meter, used,
                                      budget.intensity, budget.period)
  end
  return table.concat(parts, "  ")
end

local function children_in_start_order(sup)
  local ok, list = pcall(supervisor.which_children, sup)
  if not ok or type(list) ~= "table" then return nil end
  local ordered = {}
  for i = #list, 1, -1 do ordered[#ordered + 1] = list[i] end
  return ordered
end

local function render_children(sup, prefix, out, depth)
  local children = children_in_start_order(sup)
  if not children then
    out[#out + 1] = prefix .. "└── (not answering)"
    return
  end
  for i, child in ipairs(children) do
    local last = i == #children
    local line = string.format("%s%s%s %s  %s", prefix, last and "└── " or "├── ",
                               tostring(child.id), pid_text(child.pid), child.type)
    local is_sup = child.type == "supervisor" and is_pid(child.pid) and otp.is_alive(child.pid)
    if is_sup then line = line .. "  " .. sup_line(child.pid) end
    out[#out + 1] = line
    if is_sup and depth < 16 then
      render_children(child.pid, prefix .. (last and "    " or "│   "), out, depth + 1)
    end
  end
end

--- tree.render(sup) -> string: sup and everything under it, one line each.
function tree.render(sup)
  if type(sup) == "string" then sup = otp.whereis(sup) or sup end
  if not is_pid(sup) then
    error("badarg: tree needs a supervisor's pid or registered name, got " .. inspect(sup), 2)
  end
  if not otp.is_alive(sup) then return inspect(sup) .. "  (not running)" end
  local out = {inspect(sup) .. "  " .. sup_line(sup)}
  render_children(sup, "", out, 0)
  return table.concat(out, "\n")
end

return tree
