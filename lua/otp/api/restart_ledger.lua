-- otp.api.restart_ledger: the long-lived process (registered as
-- api_restarts, started by the API server before FILE) that counts, per
-- supervisor and child id, how often the supervisor gave the child a new
-- pid in an automatic restart: the failing child of each sup_restart and
-- the siblings restarted with it (otp.api.restart_groups). OTP's history
-- (otp.analytics.restart_history) names the failing child only. It follows
-- the sup_* trace events, and forgets a supervisor when it exits.
local otp = require "otp"
local groups = require "otp.api.restart_groups"
local errors = require "otp.api.errors"
local ledger = {}

local KINDS = {"sup_start_child", "sup_restart", "sup_terminate_child", "sup_shutdown"}

function ledger.main()
  otp.set_label("api_restarts")
  local reader = groups.new()
  local counts = {}           -- sup pid -> {[id] = restarts}
  local seq = 0               -- the last event counted
  otp.trace.start{kinds = KINDS, to = otp.self(), max_events = 1, max_queue = 1000000}
  local watched = {}          -- supervisors monitored: what is kept of them goes with them
  local function watch(sup)
    if not watched[sup] then
      otp.monitor(sup)
      watched[sup] = true
    end
  end
  local function bump(sup, id)
    local c = counts[sup] or {}
    counts[sup] = c
    c[id] = (c[id] or 0) + 1
  end
  while true do
    local m = otp.receive()
    if type(m) ~= "table" then
      -- ignored
    elseif m[1] == "trace" and type(m[2]) == "table" then
      -- anything can send it messages: one it cannot read is dropped, not fatal
      pcall(function()
        local ev = m[2]
        watch(ev.pid)
        local with = reader:feed(ev)
        if with then
          bump(ev.pid, tostring(ev.id))
          for _, s in ipairs(with) do bump(ev.pid, s.id) end
        end
        if math.type(ev.seq) == "integer" then seq = ev.seq end
      end)
    elseif m[1] == "DOWN" and watched[m[4]] then
      watched[m[4]] = nil
      counts[m[4]] = nil
      reader:forget(m[4])
    elseif m[3] == "counts" and pcall(otp.is_alive, m[1]) then
      otp.send(m[1], {m[2], counts, seq})
    end
  end
end

--- ledger.counts() -> {[sup pid] = {[id] = restarts}}, the seq of the last event counted.
function ledger.counts()
  local pid = otp.whereis("api_restarts") or errors.fail(503, "unavailable", "the API's restart ledger is not running")
  local ref = otp.make_ref()
  otp.send(pid, {otp.self(), ref, "counts"})
  local m = otp.receive(otp.match{ref}, 5000)
    or errors.fail(504, "timeout", "the API's restart ledger did not answer in time")
  return m[2], m[3]
end

return ledger
