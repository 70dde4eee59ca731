-- Proves (API.md section 4, issue 4): sequence_diagram() of a gen_server
-- call shows the call and its (dashed) reply with named participants and caps
-- its length with a note; dump(path) writes JSON Lines that parse back;
-- analyze() counts kinds, ranks senders and receivers, gives a rate and
-- groups the restarts that follow one failure (one_for_all: one
-- sup_restart event for the failed child; its siblings are sup_start_child). Waits on messages only.

local failures = {}
local function check(cond, what) if not cond then failures[#failures + 1] = what end end
local me = otp.self()
local cjson = require "cjson"

local counter = {}
function counter.init(n) return "ok", n end
function counter.handle_call(req, from, n) return "reply", n, n + 1 end
local server = assert(otp.gen_server.start(counter, 0, {name = "counter"}))

local s = otp.trace.start{pids = {me, server}, kinds = {"send", "receive", "exit", "down"}}
check(otp.gen_server.call("counter", "next") == 0, "the call did not return 0")
s:stop()
local text = s:sequence_diagram()
check(text:match("^sequenceDiagram\n"), "the diagram does not start with sequenceDiagram")
check(text:find("participant P%d+ as counter"), "the server is not named 'counter' in the diagram")
check(text:find("P%d+%->>P%d+: call: next"), "the diagram has no 'call: next' arrow:\n" .. text)
check(text:find("P%d+%-%->>P%d+: reply: 0"), "the diagram has no dashed 'reply: 0' arrow:\n" .. text)

-- the cap: one line kept, a note says how many were left out
local capped = s:sequence_diagram{max_lines = 1}
check(capped:find("1 more events left out"), "the capped diagram has no 'left out' note:\n" .. capped)

-- dump: JSON Lines
local path = os.tmpname()
local n = s:dump(path)
local lines = {}
for l in io.lines(path) do lines[#lines + 1] = l end
os.remove(path)
check(n == #s:events() and #lines == n, "dump wrote " .. #lines .. " lines for " .. #s:events() .. " events")
for i, l in ipairs(lines) do
  local ok, ev = pcall(cjson.decode, l)
  check(ok and type(ev) == "table" and type(ev.kind) == "string" and type(ev.seq) == "number"
    and type(ev.pid) == "string", "line " .. i .. " is not a JSON event: " .. l)
end

-- analyze: counts, top senders/receivers, rate, restart cascades
local one = {}
function one.init() return "ok", 0 end
local sup = otp.supervisor.start_link{strategy = "one_for_all", intensity = 5, period = 5,
  children = {{id = "a", start = {otp.gen_server.start_link, one, nil}},
              {id = "b", start = {otp.gen_server.start_link, one, nil}}}}

local t = otp.trace.start{kinds = {"send", "exit", "sup_restart"}, to = me}
local kids = otp.supervisor.which_children(sup)
local victim = kids[1].pid
otp.exit(victim, "kill")
local restarts = 0
while restarts < 1 do
  local m = otp.receive(function(m) return type(m) == "table" and m[1] == "trace" end, 5000)
  assert(m, "the supervisor did not restart the killed child")
  if m[2].kind == "sup_restart" then restarts = restarts + 1 end
end
t:stop()
local r = t:analyze()
check(r.counts.sup_restart == 1 and (r.counts.exit or 0) >= 2, "analyze().counts is wrong")
check(type(r.rate) == "number" and r.rate > 0, "analyze().rate is not a positive number")
check(#r.restart_cascades == 1, "expected one restart cascade, got " .. #r.restart_cascades)
local c = r.restart_cascades[1]
check(c and c.failure and c.failure.pid == victim and #c.restarts == 1 and c.restarts[1].old_pid == victim,
  "the cascade does not tie the restart to the killed child")
check(type(r.top_senders) == "table" and type(r.top_receivers) == "table", "no top senders/receivers")
local ra = s:analyze()
check(ra.counts.send >= 2 and ra.top_senders[1] and ra.top_senders[1].count >= 1, "analyze of the call has no sends")
check(ra.top_receivers[1] and (ra.top_receivers[1].pid == server or ra.top_receivers[1].pid == me),
  "the top receiver of the call is neither party")


otp.exit(sup, "shutdown")
otp.gen_server.stop(server)
if #failures > 0 then error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0) end
