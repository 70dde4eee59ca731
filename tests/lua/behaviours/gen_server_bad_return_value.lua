-- A callback that returns something gen_server does not know: the server
-- runs terminate({"bad_return_value", values}) and exits with that reason
-- (OTP's {bad_return_value, Value}; the returned values as an array). A
-- caller waiting in call exits {reason, {gen_server, call, _}}; init's bad
-- return is a start failure.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(how)
  if how == "bad init" then return "okay", 1 end
  return "ok", how
end
function mod.handle_call(req, from, s)
  if req == "forgot state" then return "reply", 1 end
  if req == "nothing" then return end
  if req == "bad timeout" then return "reply", 1, s, "soon" end
  return "reply", req, s
end
function mod.handle_cast(msg, s) return "noreply" end         -- no state: n = 1
function mod.handle_info(msg, s) return "stop", "why", s, "extra" end
function mod.terminate(reason, s) otp.send(main, {"terminate", reason}) end

local function check(poke, expected_reason)
  local server = assert(gen_server.start(mod, "s"))
  local ref = otp.monitor(server)
  local caller_result = poke(server)
  local events = {expect.receive({"terminate"}), expect.receive({"DOWN", ref})}
  expect.eq(events, {{"terminate", expected_reason},
                     {"DOWN", ref, "process", server, expected_reason}})
  return caller_result
end

local server
local r = check(function(s)
  server = s
  return {pcall(gen_server.call, s, "forgot state")}
end, {"bad_return_value", {"reply", 1}})
expect.eq(r, {false, {"EXIT", {{"bad_return_value", {"reply", 1}},
                                {"gen_server", "call", {server, "forgot state"}}}}})
check(function(s) pcall(gen_server.call, s, "nothing") end, {"bad_return_value", {}})
check(function(s) pcall(gen_server.call, s, "bad timeout") end,
      {"bad_return_value", {"reply", 1, "s", "soon"}})
check(function(s) gen_server.cast(s, "x") end, {"bad_return_value", {"noreply"}})
check(function(s) otp.send(s, "x") end, {"bad_return_value", {"stop", "why", "s", "extra"}})

-- init: a start failure, no terminate
expect.eq({gen_server.start(mod, "bad init")}, {nil, {"bad_return_value", {"okay", 1}}})
expect.no_message(nil, 0)
