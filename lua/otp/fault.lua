-- otp.fault: faults a scenario injects to ask "what if" (API.md section 7).
--
--   drop{to=, from=, match=, count=}  matching messages vanish at the send
--   delay{to=, from=, match=, ms=}     matching messages arrive ms later; the
--                                     sender's later messages to the same
--                                     receiver wait behind them
--   slow(pid, ms)                     pid pauses ms before taking each message
--   crash(pid[, reason])              pid raises error(reason) at its next
--                                     receive, sleep or yield
--   chaos{sup=, every_ms=, duration_ms=, reason="kill", seed=}
--                                     kills a random live process of the tree
--                                     under sup every every_ms; blocks the
--                                     caller and returns {kills=, victims=}
--   clear()                           removes every rule
--
-- Each acting fault emits a trace event (fault_drop, fault_delay,
-- fault_crash, fault_slow, fault_kill). A drop never reorders or duplicates:
-- the message is simply not delivered; a delay never reorders the messages
-- of one sender to one receiver (rule A13).
local core = otp_internal.fault_core
local fault = {}

local function rule_handle(clear)
  return {clear = clear}
end

local function check_opts(opts, fname, allowed)
  if type(opts) ~= "table" then
    error(("badarg: %s needs a table of options, got %s"):format(fname, type(opts)), 0)
  end
  for k in pairs(opts) do
    if not allowed[k] then
      error(("badarg: %s does not know the option '%s'"):format(fname, tostring(k)), 0)
    end
  end
end

-- The rule of drop and delay: who, which messages (checked here).
local function message_rule(opts, fname, allowed)
  check_opts(opts, fname, allowed)
  local rule = {to = opts.to, from = opts.from}
  if opts.to ~= nil and type(opts.to) ~= "string" and type(opts.to) ~= "userdata" then
    error(("badarg: %s: to must be a pid or a registered name, got %s"):format(fname, type(opts.to)), 0)
  end
  if opts.from ~= nil and type(opts.from) ~= "userdata" then
    error(("badarg: %s: from must be a pid, got %s"):format(fname, type(opts.from)), 0)
  end
  local m = opts.match
  if type(m) == "table" then rule.match = otp.match(m)
  elseif type(m) == "function" or m == nil then rule.match = m
  else error(("badarg: %s: match must be a pattern table or a function, got %s"):format(fname, type(m)), 0) end
  return rule
end

function fault.drop(opts)
  opts = opts or {}
  local rule = message_rule(opts, "otp.fault.drop", {to = true, from = true, match = true, count = true})
  if opts.count ~= nil and (math.type(opts.count) ~= "integer" or opts.count < 1) then
    error("badarg: otp.fault.drop: count must be a whole number >= 1 (leave it out to drop forever)", 0)
  end
  rule.count = opts.count
  local id = core.add_drop(rule)
  return rule_handle(function() return core.remove_drop(id) end)
end

function fault.delay(opts)
  opts = opts or {}
  local rule = message_rule(opts, "otp.fault.delay", {to = true, from = true, match = true, ms = true})
  if math.type(opts.ms) ~= "integer" or opts.ms < 0 or opts.ms > (1 << 53) then
    error("badarg: otp.fault.delay needs ms, a whole number of milliseconds from 0 to 2^53", 0)
  end
  rule.ms = opts.ms
  local id = core.add_drop(rule)
  return rule_handle(function() return core.remove_drop(id) end)
end

-- The slowed process keeps its pause until the rule is cleared.
function fault.slow(pid, ms)
  core.slow(pid, ms)
  return rule_handle(function()
    if otp.is_alive(pid) then return core.slow(pid, 0) end
    return false
  end)
end

function fault.crash(pid, reason)
  if reason == nil then reason = "fault_crash" end
  core.crash(pid, reason)
  return rule_handle(function() return core.uncrash(pid) end)
end

function fault.clear()
  core.clear()
end

-- Every live process of the tree under sup (not sup itself), children in
-- the supervisor's own order, each subtree after its supervisor.
local function tree_processes(sup, out)
  local ok, children = pcall(otp.supervisor.which_children, sup)
  if not ok or type(children) ~= "table" then return out end
  for i = #children, 1, -1 do             -- which_children is newest first
    local c = children[i]
    if type(c.pid) ~= "string" and otp.is_alive(c.pid) then
      out[#out + 1] = c.pid
      if c.type == "supervisor" then tree_processes(c.pid, out) end
    end
  end
  return out
end

-- A small generator of its own, so a chaos run depends only on its seed.
local function generator(seed)
  local x = seed
  return function(n)
    x = x * 6364136223846793005 + 1442695040888963407
    return ((x >> 33) % n) + 1
  end
end

function fault.chaos(opts)
  check_opts(opts, "otp.fault.chaos",
             {sup = true, every_ms = true, duration_ms = true, reason = true, seed = true})
  local every, duration = opts.every_ms, opts.duration_ms
  if type(every) ~= "number" or every <= 0 then
    error("badarg: otp.fault.chaos needs every_ms, a number of milliseconds > 0", 0)
  end
  if type(duration) ~= "number" or duration < 0 then
    error("badarg: otp.fault.chaos needs duration_ms, a number of milliseconds >= 0", 0)
  end
  if opts.sup == nil then error("badarg: otp.fault.chaos needs sup, the root of the tree", 0) end
  local reason = opts.reason == nil and "kill" or opts.reason
  local pick = generator(opts.seed or math.random(1, 2147483647))
  local kills, victims = 0, {}
  local waited = 0
  while waited + every <= duration do
    otp.sleep(every)
    waited = waited + every
    local live = tree_processes(opts.sup, {})
    if #live > 0 then
      local victim = live[pick(#live)]
      core.note_kill(victim, type(opts.sup) == "string" and otp.whereis(opts.sup) or opts.sup)
      otp.exit(victim, reason)
      kills = kills + 1
      victims[#victims + 1] = victim
    end
  end
  return {kills = kills, victims = victims}
end

return fault
