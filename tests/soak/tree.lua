-- The soak's supervision tree: the demo tree's shape scaled up. A root
-- (one_for_one, a budget it never spends) over `branches` supervisors whose
-- strategies take turns (one_for_one, one_for_all, rest_for_one); each holds
-- `counters` counter gen_servers (otp.demo.counter) and a nested supervisor
-- of `nested` counters, with a small budget so that a burst of kills makes
-- a branch give up and its parent restart it (rule C11).
--
--   tree.spec(opts) -> the root's supervisor spec
--   tree.walk(root) -> every {sup=, id=, pid=, type=} under root, or nil, why
--   tree.whole(root, opts) -> true, or nil and what is missing

local otp = require "otp"
local gen_server = require "otp.gen_server"
local supervisor = require "otp.supervisor"
local counter = require "otp.demo.counter"

local tree = {}
local STRATEGIES = {"one_for_one", "one_for_all", "rest_for_one"}

local function worker(id, n)
  return {id = id, start = {gen_server.start_link, counter, n}, shutdown = 1000}
end

local function sup(id, spec)
  return {id = id, type = "supervisor", start = {supervisor.start_link, spec}}
end

function tree.spec(opts)
  local branches = {}
  for b = 1, opts.branches do
    local nested = {}
    for k = 1, opts.nested do nested[k] = worker("n" .. k, k) end
    local children = {}
    for k = 1, opts.counters do children[k] = worker("c" .. k, k) end
    children[#children + 1] = sup("nested", {
      strategy = STRATEGIES[b % 3 + 1], intensity = 5, period = 1, children = nested})
    branches[b] = sup("branch" .. b, {
      strategy = STRATEGIES[(b - 1) % 3 + 1], intensity = 5, period = 1, children = children})
  end
  return {strategy = "one_for_one", intensity = 1000000, period = 1, children = branches}
end

function tree.walk(root)
  local all = {}
  local function visit(s)
    local ok, kids = pcall(supervisor.which_children, s)
    if not ok or type(kids) ~= "table" then return false end
    for _, c in ipairs(kids) do
      all[#all + 1] = {sup = s, id = c.id, pid = c.pid, type = c.type}
      if c.type == "supervisor" and type(c.pid) ~= "string" and not visit(c.pid) then
        return false
      end
    end
    return true
  end
  if not visit(root) then return nil, "a supervisor did not answer which_children" end
  return all
end

-- Every supervisor has all its children, each alive; every counter answers.
function tree.whole(root, opts)
  if not otp.is_alive(root) then return nil, "the root is dead" end
  local all, why = tree.walk(root)
  if not all then return nil, why end
  local want = opts.branches * (1 + opts.counters + 1 + opts.nested)
  if #all ~= want then return nil, string.format("%d children, want %d", #all, want) end
  for _, c in ipairs(all) do
    if type(c.pid) == "string" or not otp.is_alive(c.pid) then
      return nil, string.format("child %s is %s", c.id, tostring(c.pid))
    end
    if c.type == "worker" then
      local ok, n = pcall(gen_server.call, c.pid, "get", 2000)
      if not ok or math.type(n) ~= "integer" then
        return nil, string.format("counter %s (%s) did not answer: %s", c.id, tostring(c.pid),
                                  tostring(n))
      end
    end
  end
  return true
end

return tree
