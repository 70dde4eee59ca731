-- Lesson 2: a supervisor restarts what crashes, and gives up when crashes
-- come too fast. Run it with `build/otplab run lessons/02_supervision.lua`.

local supervisor = otp.supervisor
local function say(fmt, ...) print(string.format(fmt, ...)) end
otp.log_level("none")           -- the lesson tells the story itself

-- A worker that waits for work and crashes when asked to.
local function worker(name)
  return otp.spawn_link(function()
    otp.set_label(name)
    while true do
      local msg = otp.receive()
      if msg == "crash" then error(name .. " was asked to crash") end
    end
  end)
end

local function children(sup)
  local parts = {}
  for _, c in ipairs(supervisor.which_children(sup)) do
    parts[#parts + 1] = string.format("%s=%s", c.id, tostring(c.pid))
  end
  return table.concat(parts, "  ")
end

-- Wait until a supervisor has restarted child `id` (its pid changed).
local function wait_restart(sup, id, old)
  for _ = 1, 200 do
    for _, c in ipairs(supervisor.which_children(sup)) do
      if c.id == id and c.pid ~= old and type(c.pid) ~= "string" then return c.pid end
    end
    otp.receive(function() return false end, 5)
  end
  error("no restart of " .. id)
end

local function pid_of(sup, id)
  for _, c in ipairs(supervisor.which_children(sup)) do
    if c.id == id then return c.pid end
  end
end

say("1. A one_for_one supervisor with three workers (newest first):")
local sup = assert(supervisor.start_link{
  strategy = "one_for_one", intensity = 3, period = 5,
  children = {
    {id = "a", start = {worker, "a"}},
    {id = "b", start = {worker, "b"}},
    {id = "c", start = {worker, "c"}},
  },
})
say("   %s", children(sup))

local b = pid_of(sup, "b")
otp.send(b, "crash")
local b2 = wait_restart(sup, "b", b)
say("\n2. b crashed; one_for_one restarts only b (%s -> %s):", tostring(b), tostring(b2))
say("   %s", children(sup))

say("\n3. With one_for_all, one crash restarts everyone:")
supervisor.set_strategy(sup, "one_for_all")     -- a teaching extension: OTP cannot do this
local a = pid_of(sup, "a")
otp.send(pid_of(sup, "c"), "crash")
wait_restart(sup, "a", a)
say("   %s", children(sup))

say("\n4. More than intensity (3) restarts within period (5 s): the supervisor gives up.")
say("   (b's and c's crashes above already used two of the three.)")
otp.trap_exit(true)   -- we are linked to it: its exit must not take us down
local ref = otp.monitor(sup)
local crashes, down = 0, nil
while not down do
  local victim = pid_of(sup, "a")
  otp.send(victim, "crash")
  crashes = crashes + 1
  -- either the supervisor restarts a, or it gives up and exits
  while not down do
    down = otp.receive(otp.match{"DOWN", ref}, 5)
    local ok, now = pcall(pid_of, sup, "a")
    if not down and ok and now ~= victim and type(now) ~= "string" then break end
  end
end
say("   after %d more crashes of a, the supervisor exited with reason %q,", crashes, down[5])
say("   having stopped its other children first.")
say("\nA supervisor's whole job: restart according to its strategy, and escalate")
say("(exit shutdown) when restarting does not help.")
