-- A large supervision tree for bench/web_restart.mjs: one root over
-- NSUP (default 1000) one_for_one supervisors of 10 gen_server workers each.
local otp = require "otp"
local worker = {}
function worker.init() return "ok", 0 end
function worker.handle_call(_, _, n) return "reply", n, n end
local subs = {}
for i = 1, tonumber(os.getenv("NSUP") or "1000") do
  local kids = {}
  for j = 1, 10 do kids[j] = {id = "w" .. j, start = {otp.gen_server.start_link, worker, nil}} end
  subs[i] = {id = "sup" .. i, type = "supervisor",
             start = {otp.supervisor.start_link, {strategy = "one_for_one", intensity = 1000, children = kids}}}
end
otp.supervisor.start_link{strategy = "one_for_one", children = subs}
