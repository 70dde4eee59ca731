-- Lesson 9: permanent, transient, temporary
-- the restart type decides, with the exit reason, whether a child comes back: a matrix.
local lesson, expect = otp.lesson, otp.expect
local supervisor = otp.supervisor
lesson.title("permanent, transient, temporary")

-- One supervisor per cell: its child "w" ends with `reason` when told.
local function outcome(restart, reason)
  local sup = assert(supervisor.start_link{strategy = "one_for_one", intensity = 10, children = {
    {id = "w", restart = restart, start = {function()
      return otp.spawn_link(function(r) otp.receive(); if r == "killed" then otp.receive() end; otp.exit(r) end, reason)
    end}}}})
  local w = supervisor.which_children(sup)[1].pid
  local ref = otp.monitor(w)
  if reason == "killed" then otp.exit(w, "kill") else otp.send(w, "go") end
  expect.eq(expect.receive(otp.match{"DOWN", ref})[5], reason)
  -- the supervisor has handled the exit once the child's entry changed
  local seen = expect.eventually(function()
    local list = supervisor.which_children(sup)
    if #list == 0 then return "spec deleted" end
    local p = list[1].pid
    if p == "undefined" then return "not restarted" end
    if p ~= w and p ~= "restarting" then return "restarted" end
  end)
  local ok = otp.supervisor.count_children(sup).specs
  otp.unlink(sup); otp.exit(sup, "shutdown")
  return seen, ok
end

local reasons = {"normal", "shutdown", {"shutdown", "done"}, "killed", "crash"}
local expected = {                                              -- C5
  permanent = {"restarted", "restarted", "restarted", "restarted", "restarted"},
  transient = {"not restarted", "not restarted", "not restarted", "restarted", "restarted"},
  temporary = {"spec deleted", "spec deleted", "spec deleted", "spec deleted", "spec deleted"},
}

lesson.step("Each restart type against each exit reason", function()
  local head = {"           "}
  for _, r in ipairs(reasons) do head[#head + 1] = string.format("%-22s", otp.inspect(r)) end
  lesson.say(table.concat(head))
  for _, restart in ipairs{"permanent", "transient", "temporary"} do
    local row = {string.format("%-11s", restart)}
    for i, r in ipairs(reasons) do
      local got = outcome(restart, r)
      expect.eq(got, expected[restart][i], restart .. " child exiting " .. otp.inspect(r))
      row[#row + 1] = string.format("%-22s", got)
    end
    lesson.say(table.concat(row))
  end
  lesson.say("transient comes back only after an abnormal exit (killed is abnormal);")
  lesson.say("temporary never does, and the supervisor forgets its spec.")
end)

-- The exercise: the learner adds "job" to lab; the check ends job normally,
-- then crashes it, and reads lab's answer to each from which_children.
local lab = assert(supervisor.start_link{strategy = "one_for_one", intensity = 10, period = 5})
local function job()
  return otp.spawn_link(function()
    otp.set_label("job")
    while true do
      local m = otp.receive()
      if m == "done" then otp.exit("normal") end
      if m == "crash" then error("job was asked to crash") end
    end
  end)
end
local function entry(id)
  for _, c in ipairs(supervisor.which_children(lab)) do if c.id == id then return c end end
end
-- What lab did once `old`, its child "job", ended.
local function fate(old)
  local ok, seen = pcall(expect.eventually, function()
    local c = entry("job")
    if c == nil then return "spec deleted" end
    if c.pid == "undefined" then return "not restarted" end
    if c.pid ~= old and c.pid ~= "restarting" then return "restarted" end
  end, 2000)
  return ok and seen or "no decision within 2 s"
end
local function running_job()
  local c = entry("job")
  if c and c.pid == "undefined" then
    local ok, why = supervisor.restart_child(lab, "job")
    if not ok then return nil, "restart_child(lab, \"job\") failed: " .. otp.inspect(why) end
    c = entry("job")
  end
  if c == nil or type(c.pid) == "string" then return nil, "job is not running" end
  return c.pid
end
local function transient_check()
  if entry("job") == nil then
    return false, "lab has no child with id \"job\": supervisor.start_child(lab, {id = \"job\", restart = ..., start = {job}})"
  end
  local pid, why = running_job()
  if not pid then return false, why end
  otp.send(pid, "done")
  local after_normal = fate(pid)
  if after_normal == "restarted" then
    return false, "job ended normally and lab restarted it: a permanent child always comes back (C5); " ..
      "terminate_child(lab, \"job\"), delete_child(lab, \"job\"), then start it with another restart type"
  elseif after_normal == "spec deleted" then
    return false, "job ended normally and lab deleted its spec: a temporary child never comes back, " ..
      "not even after a crash (C5); start it again with another restart type"
  elseif after_normal ~= "not restarted" then
    return false, "job ended normally and lab gave " .. after_normal
  end
  pid, why = running_job()
  if not pid then return false, why end
  otp.send(pid, "crash")
  local after_crash = fate(pid)
  if after_crash ~= "restarted" then
    return false, "job was left alone after a normal exit, but after a crash lab's answer was: " .. after_crash
  end
  return true
end
lesson.expose{supervisor = supervisor, lab = lab, job = job}
lesson.exercise("add a child with id \"job\" to lab that is not restarted when it ends normally " ..
  "(check() tells it \"done\") but is when it crashes (then \"crash\"): " ..
  "supervisor.start_child(lab, {id = \"job\", restart = ..., start = {job}})",
  transient_check,
  function() assert(supervisor.start_child(lab, {id = "job", restart = "transient", start = {job}})) end)

lesson.step("job is transient: normal exit left alone, crash restarted (C5)", function()
  lesson.tree(lab)
  expect.eq(supervisor.get_childspec(lab, "job").restart, "transient")
  otp.unlink(lab); otp.exit(lab, "shutdown")
end)

lesson.finish{try = "s = otp.supervisor.start_link{strategy = \"one_for_one\", children = {{id = \"t\", restart = \"transient\", start = {function() return otp.spawn_link(otp.receive) end}}}}; kill(otp.supervisor.which_children(s)[1].pid, {\"shutdown\", \"done\"}); tree(s)",
              next = "Restart intensity"}
