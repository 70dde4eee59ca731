-- otp.task: Elixir's Task (API.md section 3).
--
--   local t = task.async(function(a, b) return a + b end, 1, 2)
--   task.await(t)                --> 3
--
-- async(fn, ...) -> task: runs fn(...) in a new process, LINKED to the caller
--   and MONITORED by it (an alias monitor, as Elixir does on OTP 24+). The
--   task is plain data {pid=, ref=, owner=}; only the owner may await it.
-- await(task[, timeout=5000]) -> fn's results (all of them)
--   If the task crashed with reason R: a caller that does not trap exits has
--   already been killed by the link with R (as in Elixir); a trapping one
--   exits here with {R, {"task", "await", {task, timeout}}}.
--   No result within timeout: exits {"timeout", {"task", "await", {task,
--   timeout}}}; the task keeps running (an uncaught exit then takes it down
--   through the link). A result that arrives after a caught timeout is
--   still delivered by a later await.
-- start(fn, ...) -> pid: a task nobody awaits, not linked.
--
-- The task replies {ref, results, n} to the alias; await demonitors (flush)
-- and so deactivates the alias: nothing else from the task reaches the owner.
-- This module keeps no state: everything lives in the processes.

local otp = require "otp"

local task = {}

local DEFAULT_TIMEOUT = 5000
local ALIAS = {alias = true}
local FLUSH = {flush = true}

local badarg = require("otp.errors").badarg   -- "badarg: ... (at file:line)"

-- The body of an async task: wait for the owner's go (it carries the alias
-- made after the spawn), run fn, reply to the alias.
local function run(owner, fn, ...)
  local go = otp.receive(function(m)
    return type(m) == "table" and m[1] == "$task_go" and m[2] == owner
  end)
  local ref = go[3]
  local r = table.pack(fn(...))
  otp.send(ref, {ref, {table.unpack(r, 1, r.n)}, r.n})
end

function task.async(fn, ...)
  if type(fn) ~= "function" then
    badarg("task.async needs a function to run, got " .. type(fn), 2)
  end
  local owner = otp.self()
  local pid = otp.spawn_link(run, owner, fn, ...)
  local ref = otp.monitor(pid, ALIAS)
  otp.send(pid, {"$task_go", owner, ref})
  return {pid = pid, ref = ref, owner = owner}
end

function task.await(t, timeout)
  if type(t) ~= "table" or t.ref == nil or t.pid == nil then
    badarg("task.await needs a task made by task.async, got " .. type(t), 2)
  end
  if t.owner ~= otp.self() then
    badarg("task " .. tostring(t.pid) .. " belongs to " .. tostring(t.owner) ..
          "; only the process that made it (its owner) can await it", 2)
  end
  local ref = t.ref
  local msg = otp.receive(function(m)
    return type(m) == "table" and (m[1] == ref or (m[2] == ref and m[1] == "DOWN"))
  end, timeout == nil and DEFAULT_TIMEOUT or timeout)
  if msg == nil then
    otp.exit({"timeout", {"task", "await", {t, timeout == nil and DEFAULT_TIMEOUT or timeout}}})
  end
  if msg[1] == ref then
    otp.demonitor(ref, FLUSH)
    return table.unpack(msg[2], 1, msg[3])
  end
  otp.exit({msg[5], {"task", "await", {t, timeout == nil and DEFAULT_TIMEOUT or timeout}}})
end

function task.start(fn, ...)
  if type(fn) ~= "function" then
    badarg("task.start needs a function to run, got " .. type(fn), 2)
  end
  return otp.spawn(fn, ...)
end

return task
