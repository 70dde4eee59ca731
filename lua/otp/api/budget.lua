-- otp.api.budget: a supervisor's restart budget as the dashboard shows it.
local otp = require "otp"
local analytics = otp.analytics

--- budget(sup) -> {used=, intensity=, period=, expires_in_ms=}: the
--- node's count of restarts in the current period (the supervisor's own
--- rule: a restart at second T counts until second T + period), and when
--- the oldest of them stops counting (nil when none counts).
return function(sup)
  local b = analytics.restart_budget(sup)
  if not b then return nil end
  if b.used > 0 then
    local history = analytics.restart_history(sup) or {}
    local now = otp.monotonic_time()
    local oldest
    for i = #history, math.max(1, #history - b.used + 1), -1 do oldest = history[i].t_ms end
    if oldest then b.expires_in_ms = math.max(0, ((oldest // 1000) + b.period + 1) * 1000 - now) end
  end
  return b
end
