-- Analytics need no registration: a supervisor is known from the moment it
-- starts, even before it has any child (a dynamic supervisor, an empty spec).
local expect = otp.expect
local dyn = assert(otp.dynamic_supervisor.start_link{intensity = 2, period = 7})
expect.eq(otp.analytics.restart_budget(dyn), {used = 0, intensity = 2, period = 7})
expect.eq(otp.analytics.restart_history(dyn), {})
local sup = assert(otp.supervisor.start_link{strategy = "one_for_all", children = {}})
expect.eq(otp.analytics.restart_budget(sup).used, 0)
local seen = {}
for _, s in ipairs(otp.analytics.stats()) do seen[s.sup] = true end
expect.truthy(seen[dyn] and seen[sup], "stats() must list both empty supervisors")
