-- A version whose state has another shape, upgraded the OTP way (a release
-- handler's order): suspend, load, change_code (the new version's
-- code_change(old_vsn, state, extra) transforms the state), resume; then the
-- server runs the new code on the transformed state.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local sys = otp.sys
local code = otp.code

local NAME = "code_test.counter"

assert(code.load(NAME, [[
local M = {vsn = "1"}
function M.init(n) return "ok", n end
function M.handle_call(req, from, n)
  if req == "bump" then return "reply", n + 1, n + 1 end
  return "reply", {version = 1, count = n}, n
end
return M
]]))

local server = assert(gen_server.start_link(require(NAME), 0))
expect.eq(gen_server.call(server, "bump"), 1)
expect.eq(gen_server.call(server, "bump"), 2)

-- version 2 keeps {count=, step=} and bumps by step
expect.eq(sys.suspend(server), true, "suspended first: v2 cannot take v1's state")
expect.eq({code.load(NAME, [[
local M = {vsn = "2"}
function M.init(n) return "ok", {count = n, step = 1} end
function M.handle_call(req, from, s)
  if req == "bump" then
    s.count = s.count + s.step
    return "reply", s.count, s
  end
  return "reply", {version = 2, count = s.count, step = s.step, from = s.from}, s
end
function M.code_change(old_vsn, n, extra)
  return "ok", {count = n, step = extra.step, from = old_vsn}
end
return M
]])}, {true, "2"})

expect.eq(sys.get_state(server), 2, "suspended: v1's state, untouched by the load")
expect.eq({sys.change_code(server, NAME, "1", {step = 10})}, {true})
expect.eq(sys.get_state(server), {count = 2, step = 10, from = "1"}, "transformed while suspended")
expect.eq(sys.resume(server), true)

expect.eq(gen_server.call(server, "get"), {version = 2, count = 2, step = 10, from = "1"})
expect.eq(gen_server.call(server, "bump"), 12, "the new code runs on the transformed state")

-- a new server started now gets version 2 from require
local fresh = assert(gen_server.start_link(require(NAME), 5))
expect.eq(gen_server.call(fresh, "bump"), 6)

gen_server.stop(fresh)
gen_server.stop(server)
