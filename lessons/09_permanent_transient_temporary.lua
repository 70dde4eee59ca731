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

lesson.finish{try = "start_child with restart = \"transient\" and make it return normally",
              next = "Restart intensity"}
