-- A start file for the limits tests: a process that never stops computing
-- (preempted, always runnable), so the server works beside a node that is
-- busy and keeps to its share (--api-share).
otp.register("busy", otp.spawn(function()
  local n = 0
  while true do n = n + 1 end
end))
