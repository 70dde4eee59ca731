-- otp.api.restart_groups: which children a supervisor restarted with a
-- failing one, read from its trace events alone. In a one_for_all or
-- rest_for_one restart the supervisor stops the running siblings
-- (sup_terminate_child, reason shutdown), starts the failing child and them
-- again (sup_start_child), and only then emits one sup_restart, for the
-- failing child (OTP counts one restart against the intensity). So the
-- siblings restarted with it are the children of the run of starts just
-- before that sup_restart that were also stopped in the run of stops just
-- before those starts (for rest_for_one, the starts from the failing
-- child's on); a hand-made terminate_child + restart_child, or a
-- start_child, is not part of such a run and is not counted.
local groups = {}
groups.__index = groups

local MAX_RUN = 10000      -- starts kept per run: a restart never starts more children than a spec has

--- groups.new() -> a reader fed with sup_* events in seq order.
function groups.new()
  return setmetatable({runs = {}}, groups)
end

--- reader:feed(ev) -> nil, or for a sup_restart the list of
--- {id=, old_pid=, new_pid=} of the siblings restarted with ev.id.
function groups:feed(ev)
  local sup, kind = ev.pid, ev.kind
  local run = self.runs[sup]
  if kind == "sup_terminate_child" then
    if not run or run.phase ~= "stop" then
      run = {phase = "stop", stopped = {}, started = {}}
      self.runs[sup] = run
    end
    run.stopped[tostring(ev.id)] = ev.child
  elseif kind == "sup_start_child" then
    if not run or run.phase ~= "start" then
      run = {phase = "start", stopped = run and run.phase == "stop" and run.stopped or {}, started = {}}
      self.runs[sup] = run
    end
    -- only a run that stopped children can restart them: a supervisor that
    -- only starts children (a dynamic one, every start_child) keeps nothing
    if ev.child ~= nil and next(run.stopped) ~= nil and #run.started < MAX_RUN then
      run.started[#run.started + 1] = {id = tostring(ev.id), pid = ev.child}
    end
  elseif kind == "sup_restart" then
    self.runs[sup] = nil
    local with = {}
    if run and run.phase == "start" and ev.strategy ~= "one_for_one" then
      local failing = tostring(ev.id)
      -- rest_for_one starts the failing child first, then those after it:
      -- a start before the failing child's is not part of this restart
      local from = 1
      if ev.strategy == "rest_for_one" then
        for i, s in ipairs(run.started) do if s.id == failing then from = i end end
      end
      for i = from, #run.started do
        local s = run.started[i]
        local old = run.stopped[s.id]
        if s.id ~= failing and old ~= nil then with[#with + 1] = {id = s.id, old_pid = old, new_pid = s.pid} end
      end
    end
    return with
  else                                    -- sup_shutdown, or any other kind
    self.runs[sup] = nil
  end
end

--- reader:forget(sup): drops what is kept of a supervisor that exited.
function groups:forget(sup)
  self.runs[sup] = nil
end

return groups
