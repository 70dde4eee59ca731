-- otplab's teaching extension (OTP cannot do this): set_strategy changes a
-- running supervisor's strategy, and optionally its intensity and period.
-- The children and the restarts already counted stay as they are; the next
-- failure follows the new strategy.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")
otp.trap_exit(true)

local start = children.reporter(me)

local function take(n)
  local got = {}
  for i = 1, n do got[i] = expect.receive(nil, 1000) end
  return got
end

local pid_of = children.pid_of

local sup = assert(supervisor.start_link{intensity = 1, children = {
  {id = "a", start = {start, "a"}}, {id = "b", start = {start, "b"}}, {id = "c", start = {start, "c"}},
}})
expect.eq(take(3), {{"init", "a"}, {"init", "b"}, {"init", "c"}})

otp.send(pid_of(sup, "b"), {"die", "boom"})                -- one_for_one, restart 1 of 1
expect.eq(take(1), {{"init", "b"}})

expect.eq(supervisor.set_strategy(sup, "rest_for_one", 5, 10), true)
local state = otp.sys.get_state(sup)
expect.eq({state.strategy, state.intensity, state.period, state.restarts},
          {"rest_for_one", 5, 10, 1})
otp.send(pid_of(sup, "b"), {"die", "boom"})
expect.eq(take(3), {{"stop", "c", "shutdown"}, {"init", "b"}, {"init", "c"}})

expect.eq(supervisor.set_strategy(sup, "one_for_all"), true)  -- keeps 5 in 10
expect.eq(otp.sys.get_state(sup).intensity, 5)
otp.send(pid_of(sup, "a"), {"die", "boom"})
expect.eq(take(5), {{"stop", "c", "shutdown"}, {"stop", "b", "shutdown"},
                    {"init", "a"}, {"init", "b"}, {"init", "c"}})

expect.eq({supervisor.set_strategy(sup, "simple_one_for_one")},
          {nil, {"invalid_strategy", "simple_one_for_one"}})
expect.eq({supervisor.set_strategy(sup, "one_for_one", -1)}, {nil, {"invalid_intensity", -1}})
expect.eq({supervisor.set_strategy(sup, "one_for_one", 1, 0)}, {nil, {"invalid_period", 0}})
expect.eq(otp.sys.get_state(sup).strategy, "one_for_all", "a refused change changes nothing")
expect.no_message(nil, 0)
