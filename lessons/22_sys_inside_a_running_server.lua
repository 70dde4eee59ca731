-- Lesson 22: sys: inside a running server
-- read a server's state, suspend and resume it, replace its state, and keep secrets out of status.
local lesson, expect = otp.lesson, otp.expect
local gen_server, sys = otp.gen_server, otp.sys
lesson.title("sys: inside a running server")

local account = {}
function account.init() return "ok", {owner = "ann", balance = 10, password = "hunter2"} end
function account.handle_call(req, _, s)
  if req == "balance" then return "reply", s.balance, s end
  s.balance = s.balance + req
  return "reply", s.balance, s
end
function account.format_status(s)             -- what get_status and crash reports show
  return {owner = s.owner, balance = s.balance, password = "<redacted>"}
end
local acc = assert(gen_server.start_link(account, nil, {name = "account"}))

lesson.step("get_state: the state as it is, for debugging", function()
  local state = sys.get_state("account")
  expect.eq(state, {owner = "ann", balance = 10, password = "hunter2"})
  lesson.show(state)
  return {account = acc}
end)

lesson.step("get_status goes through format_status: the password stays hidden", function()
  local status = sys.get_status("account")
  expect.eq(status.state.password, "<redacted>")
  expect.eq(status.status, "running")
  lesson.show({status = status.status, state = status.state})
end)

lesson.step("suspend: only system messages are handled; calls wait", function()
  sys.suspend("account")
  expect.eq(sys.get_status("account").status, "suspended")
  local ok, caught = pcall(gen_server.call, "account", "balance", 100)
  expect.eq({ok, caught[2][1]}, {false, "timeout"})
  lesson.say("A call to the suspended server timed out; sys requests still work.")
  sys.resume("account")
  expect.eq(gen_server.call("account", "balance"), 10)
  expect.no_message(nil, 0)
  lesson.say("Resumed, it answers again; the late reply to the call that timed out stayed out")
  lesson.say("of my mailbox (B1).")
end)

lesson.step("replace_state: change a running server's state by a function", function()
  local new = sys.replace_state("account", function(s) s.balance = 100; return s end)
  expect.eq(new.balance, 100)
  expect.eq(gen_server.call("account", 5), 105)
  lesson.say("The balance became 100 without a restart; the next deposit made it 105.")
end)

-- The exercise: the learner zeroes the balance of the running server.
local function zero_check()
  local now = otp.whereis("account")
  if now ~= acc then return false, "account is no longer " .. tostring(acc) .. ": it was restarted or stopped" end
  local st = sys.get_state("account")
  if st.balance ~= 0 then return false, "the balance is " .. otp.inspect(st.balance) .. ", not 0" end
  if st.owner ~= "ann" or st.password ~= "hunter2" then
    return false, "the balance is 0, but the rest of the state changed too: " .. otp.inspect(st)
  end
  return true
end
lesson.expose{sys = sys}
lesson.exercise("set account's balance to 0 while it runs, keeping its owner and password " ..
  "(sys.replace_state(\"account\", function(s) ... return s end))",
  zero_check,
  function() sys.replace_state("account", function(s) s.balance = 0; return s end) end)
expect.eq(gen_server.call("account", "balance"), 0)

lesson.finish{try = "otp.sys.trace(\"account\", true); otp.gen_server.call(\"account\", 1)",
              next = "Hot code loading"}
