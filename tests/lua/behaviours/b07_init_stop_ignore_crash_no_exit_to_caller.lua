-- B7: init {stop, R} -> start_link returns {error, R}; ignore -> ignore;
-- a crash -> {error, {E, Stack}}. otplab follows OTP 26+: the linked caller
-- gets NO {"EXIT", pid, R} message (and, not trapping, is not killed); the
-- server is dead and its name free when start_link returns.
-- Lua spelling: nil, R / nil, "ignore" / nil, {"error", e, traceback}.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(how)
  otp.send(main, {"init", otp.self()})
  if how == "stop" then return "stop", {"no_way", 1} end
  if how == "ignore" then return "ignore" end
  if how == "crash" then error("init crashed") end
  if how == "exit" then otp.exit("init_exit") end
  if how == "slow" then otp.sleep(300); return "ok", 0 end
  return "ok", 0
end
function mod.terminate(reason) otp.send(main, {"terminate", reason}) end  -- not after a failed init

-- Runs start_link(mod, how) with a name; returns the events seen.
local function start(how, trap)
  otp.trap_exit(trap)
  local events = {}
  local pid, reason = gen_server.start_link(mod, how, {name = "b07"})
  local init = expect.receive({"init"})
  events[#events + 1] = {"start_link returned", pid, reason}
  events[#events + 1] = {"alive", otp.is_alive(init[2])}
  events[#events + 1] = {"whereis", otp.whereis("b07")}
  events[#events + 1] = {"links", otp.process_info(main, "links")}
  events[#events + 1] = {"mailbox", otp.process_info(main, "messages")}
  otp.trap_exit(false)
  return events
end

for _, trap in ipairs({false, true}) do
  -- 1. init returns "stop", R
  expect.eq(start("stop", trap), {
    {"start_link returned", nil, {"no_way", 1}},
    {"alive", false}, {"whereis", nil}, {"links", {}}, {"mailbox", {}},
  }, "stop, trapping: " .. tostring(trap))

  -- 2. init returns "ignore"
  expect.eq(start("ignore", trap), {
    {"start_link returned", nil, "ignore"},
    {"alive", false}, {"whereis", nil}, {"links", {}}, {"mailbox", {}},
  }, "ignore, trapping: " .. tostring(trap))

  -- 3. init crashes
  local ev = start("crash", trap)
  expect.eq(ev, {
    {"start_link returned", nil, {"error", otp._, otp._}},
    {"alive", false}, {"whereis", nil}, {"links", {}}, {"mailbox", {}},
  }, "crash, trapping: " .. tostring(trap))
  local r = ev[1][3]
  expect.truthy(r[2]:find("init crashed", 1, true) and r[3]:find("stack traceback", 1, true),
                expect.format(r))

  -- 4. init raises an exit: {error, R}
  expect.eq(start("exit", trap)[1], {"start_link returned", nil, "init_exit"})
  expect.alive(main)
end

-- 5. The server's own exit reason is the failure (a monitor sees it).
do
  local pid, reason = gen_server.start(mod, "stop")
  expect.eq({pid, reason}, {nil, {"no_way", 1}})
  local server = expect.receive({"init"})[2]
  local ref = otp.monitor(server)
  expect.eq(expect.receive({"DOWN", ref}), {"DOWN", ref, "process", server, "noproc"})
end

-- 6. A successful start: the pid, linked, named; init ran before it returned.
do
  local pid = gen_server.start_link(mod, "ok", {name = "b07"})
  local events = {expect.receive(nil, 0), otp.whereis("b07") == pid,
                  otp.process_info(main, "links")}
  expect.eq(events, {{"init", pid}, true, {pid}})
  expect.eq(gen_server.stop(pid), true)
  expect.eq(expect.receive(nil, 1000), {"terminate", "normal"})
end

-- 7. opts.timeout: init too slow -> nil, "timeout"; the server is killed,
-- no EXIT reaches the caller even when trapping.
do
  otp.trap_exit(true)
  local pid, reason = gen_server.start_link(mod, "slow", {timeout = 30})
  expect.eq({pid, reason}, {nil, "timeout"})
  local server = expect.receive({"init"})[2]
  expect.dead(server)
  expect.eq(otp.process_info(main, "messages"), {})
  otp.trap_exit(false)
end

expect.no_message(nil, 0)
