-- A start file for the API tests: the demo tree, a gen_server that never
-- answers a call (for the 504 deadline), and a chatty pair of processes
-- that send `n` messages when told {"burst", n} (for the slow client).
require("otp.demo").start({tick_ms = false})
local stuck = {}
function stuck.init() return "ok", 0 end
function stuck.handle_call(req, from, s)
  otp.receive(function() return false end)      -- stuck forever
end
otp.gen_server.start_link(stuck, nil, {name = "stuck"})
local sink = otp.spawn(function() while true do otp.receive() end end)
otp.register("sink", sink)
-- a process whose mailbox only grows (it waits for a message nobody sends)
otp.register("hoarder", otp.spawn(function() otp.receive(function(m) return m == "never" end) end))
otp.register("chatty", otp.spawn(function(to)
  while true do
    local m = otp.receive()
    if type(m) == "table" and m[1] == "burst" then
      for i = 1, m[2] do otp.send(to, i) end
    end
  end
end, sink))
-- a gen_server whose state holds values JSON has no word for
local odd = {}
function odd.init(fn)
  local state = {fn = fn, self = otp.self(), ref = otp.make_ref(), [true] = 1, nan = 0/0, bytes = "\255\254",
                 control = "a\0b\n\"c\"", empty = {}, sparse = {[1] = "a", [3] = "c"}}
  state.loop = state                            -- a cycle
  local deep = state
  for _ = 1, 40 do deep.next = {}; deep = deep.next end
  return "ok", state
end
otp.gen_server.start_link(odd, nil, {name = "odd"})
-- a function in a state cannot leave its process (API.md section 1)
otp.gen_server.start_link(odd, function() end, {name = "odd_fn"})
-- messages the API server does not expect, from a process of the file: it
-- ignores them (every test after this runs against the same server)
for _, junk in ipairs{5, true, "text", {"http"}, {"http", 1, "GET"}, {"ws_open", "x"}, {"ws_close"}, {"DOWN", "x"}} do
  otp.send("api_server", junk)
end
-- and a request the API keeper's action cannot take (opts not a table)
otp.send("api_keeper", {otp.self(), otp.make_ref(), "sandbox_create", "junk", 5})
