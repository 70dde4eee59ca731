-- sys.get_status describes the server (state through format_status);
-- sys.trace prints every event the server handles ("*DBG* ..." lines, as
-- sys:trace; here sent to a pid so the test can read them); sys.statistics
-- counts messages in (calls, casts, infos, timeouts) and out (replies).
local expect = require "otp.expect"
local gen_server = otp.gen_server
local sys = otp.sys
local main = otp.self()

local mod = {name = "bank"}
function mod.init(n) return "ok", {balance = n, secret = "pin"} end
function mod.handle_call(req, from, s)
  if req == "balance" then return "reply", s.balance, s end
  if req == "quiet" then return "noreply", s, 10 end
end
function mod.handle_cast(by, s) s.balance = s.balance + by; return "noreply", s end
function mod.handle_info(msg, s) return "noreply", s end
function mod.format_status(s) return {balance = s.balance, secret = "***"} end

local server = assert(gen_server.start_link(mod, 5, {name = "bank"}))

-- get_status
do
  local st = sys.get_status("bank")
  expect.eq(st, {
    pid = server, module = "bank", behaviour = "gen_server", status = "running", parent = main,
    name = "bank", label = "bank", callback = "bank",
    header = "Status for generic server bank",
    state = {balance = 5, secret = "***"},
    trace = false, statistics = false,
  })
  expect.eq(sys.get_state(server), {balance = 5, secret = "pin"}, "get_state is the raw state")
end

-- trace, to a pid: the lines in order, one per event
do
  expect.eq(sys.trace(server, main), true)
  expect.eq(sys.get_status(server).trace, true)
  gen_server.call(server, "balance")
  gen_server.cast(server, 2)
  otp.send(server, "hello")
  expect.eq(gen_server.call(server, "balance"), 7)
  local tag = tostring(server)
  local lines = {}
  for _ = 1, 8 do lines[#lines + 1] = expect.receive({"sys_trace", server})[3] end
  expect.eq(lines, {
    "*DBG* bank got call \"balance\" from " .. tostring(main),
    "*DBG* bank sent 5 to " .. tostring(main) .. ", new state {balance = 5, secret = \"pin\"}",
    "*DBG* bank got cast 2",
    "*DBG* bank new state {balance = 7, secret = \"pin\"}",
    "*DBG* bank got \"hello\"",
    "*DBG* bank new state {balance = 7, secret = \"pin\"}",
    "*DBG* bank got call \"balance\" from " .. tostring(main),
    "*DBG* bank sent 7 to " .. tostring(main) .. ", new state {balance = 7, secret = \"pin\"}",
  })
  expect.truthy(tag)
  expect.eq(sys.trace(server, false), true)
  gen_server.call(server, "balance")
  expect.no_message({"sys_trace"}, 0, "trace off")
end

-- statistics
do
  expect.eq({sys.statistics(server)}, {nil, "no_statistics"})
  local before = otp.system_time()
  expect.eq(sys.statistics(server, true), true)
  gen_server.call(server, "balance")            -- in 1, out 1
  gen_server.cast(server, 1)                    -- in 1
  otp.send(server, "info")                      -- in 1
  local ok = pcall(gen_server.call, server, "quiet", 50)   -- in 1 (no reply), then a timeout: in 1
  expect.eq(ok, false)
  expect.eventually(function() return sys.statistics(server).messages_in == 5 end)
  local st = sys.statistics(server, "get")
  expect.eq(st, {start_time = otp._, current_time = otp._, reductions = otp._,
                 messages_in = 5, messages_out = 1})
  expect.truthy(st.start_time >= before and st.current_time >= st.start_time)
  expect.truthy(math.type(st.reductions) == "integer" and st.reductions >= 0)
  expect.eq(sys.get_status(server).statistics, true)
  expect.eq(sys.statistics(server, false), true)
  expect.eq({sys.statistics(server)}, {nil, "no_statistics"})
end

expect.error(function() sys.trace(server, "yes") end, "badarg")
expect.error(function() sys.statistics(server, "maybe") end, "badarg")
gen_server.stop(server)
