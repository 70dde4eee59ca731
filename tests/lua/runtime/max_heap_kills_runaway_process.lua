-- Proves: spawn_opt's max_heap (bytes) bounds a process's memory (API.md
-- section 2; DESIGN.md "Out of memory"): a process that allocates without
-- bound dies with reason "killed", also when it pcall's around the
-- allocation failure and keeps going, and a limit_killed trace event names
-- it and says the limit was its max_heap. Mailbox copies count too. The rest
-- of the node is unaffected.

local me = otp.self()
local LIMIT = 1 << 20

local session = otp.trace.start { pids = "all", kinds = { "limit_killed" }, to = me }

local wrong_limit = {}   -- checked at the end, so every case still runs

local function killed(body, what)
  local pid, ref = otp.spawn_opt(body, { max_heap = LIMIT, monitor = true })
  assert(ref ~= nil, what .. ": spawn_opt with monitor = true returned no ref")
  local down = otp.receive(function(m)
    return type(m) == "table" and m[1] == "DOWN" and m[2] == ref
  end, 5000)
  assert(down, what .. ": no DOWN within 5 s: max_heap did not stop the process")
  assert(down[5] == "killed", what .. ": the DOWN reason is " .. tostring(down[5])
    .. (type(down[5]) == "table" and (" {" .. tostring(down[5][1]) .. ", " .. tostring(down[5][2]) .. "}") or "")
    .. ", expected 'killed'")
  local ev = otp.receive(function(m)
    return type(m) == "table" and m[1] == "trace" and type(m[2]) == "table" and m[2].pid == pid
  end, 2000)
  assert(ev, what .. ": no limit_killed trace event for " .. tostring(pid))
  assert(ev[2].kind == "limit_killed", what .. ": trace event kind is " .. tostring(ev[2].kind))
  -- The event says which limit it was: the process's max_heap, not the node's.
  if not tostring(ev[2].limit):find("max_heap", 1, true) then
    wrong_limit[#wrong_limit + 1] = what .. ": limit = " .. tostring(ev[2].limit)
  end
  return pid
end

-- A table of strings growing for ever.
killed(function()
  local t, i = {}, 0
  while true do
    i = i + 1
    t[i] = string.rep("x", 100) .. i
  end
end, "unbounded table of strings")

-- The same allocation inside pcall, retried for ever: the memory error is
-- caught, but the process must still be killed.
killed(function()
  local keep = {}
  while true do
    pcall(function()
      local t = {}
      for i = 1, math.maxinteger do t[i] = string.rep("y", 100) .. i end
    end)
    keep[#keep + 1] = "caught and kept going"
  end
end, "allocation in pcall, caught and retried")

-- Caught once, then a busy loop that allocates nothing.
killed(function()
  pcall(function()
    local t = {}
    for i = 1, math.maxinteger do t[i] = string.rep("z", 100) .. i end
  end)
  while true do end
end, "allocation in pcall, then a busy loop")

-- Messages are copied into the receiver and count against its max_heap (as
-- on BEAM, where the message queue is part of the process): a process that
-- only waits is killed when others flood its mailbox.
do
  local victim, ref = otp.spawn_opt(function()
    otp.receive(function(m) return m == "never sent" end, 10000)
  end, { max_heap = LIMIT, monitor = true })
  local big = {}
  for i = 1, 20000 do big[i] = "item " .. i end
  for _ = 1, 10 do otp.send(victim, big) end
  local down = otp.receive(function(m)
    return type(m) == "table" and m[1] == "DOWN" and m[2] == ref
  end, 5000)
  assert(down, "flooded mailbox: no DOWN within 5 s (the waiting process holds ~10 copies of a 20000-string table)")
  assert(down[5] == "killed", "flooded mailbox: the DOWN reason is " .. tostring(down[5]) .. ", expected 'killed'")
  otp.receive(function(m) return type(m) == "table" and m[1] == "trace" and m[2].pid == victim end, 2000)
end

session:stop()

-- A process under the same limit that stays below it lives and finishes.
local pid, ref = otp.spawn_opt(function()
  local t = {}
  for i = 1, 100 do t[i] = i end
end, { max_heap = LIMIT, monitor = true })
local down = otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, 2000)
assert(down and down[5] == "normal", "a small process under max_heap did not exit normally: " .. tostring(down and down[5]))

assert(#wrong_limit == 0, "limit_killed events name the wrong limit (expected one mentioning max_heap):\n  "
  .. table.concat(wrong_limit, "\n  "))
