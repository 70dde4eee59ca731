-- A gen_server running inside a sandbox moves to a new module version as in
-- OTP: v1 is loaded into the sandbox (otp.code.load with {sandbox = name}),
-- the server is started inside, and the host calls it (a call across
-- states). The host suspends the server, v2 is loaded into the sandbox,
-- change_code runs v2's code_change on the state, resume; the server then
-- runs v2 on the transformed state. The host's own module of that name is
-- untouched (the sandbox's code is its own).
local expect = require "otp.expect"
local sandbox = otp.sandbox
local gen_server, sys, code = otp.gen_server, otp.sys, otp.code

local SB, NAME = "sbx_upgrade", "sbx_test.counter"
expect.eq(sandbox.create(SB, {}), true)

expect.eq({code.load(NAME, [[
local M = {vsn = "1"}
function M.init(n) return "ok", n end
function M.handle_call(req, from, n)
  if req == "bump" then return "reply", n + 1, n + 1 end
  return "reply", {version = 1, count = n}, n
end
return M
]], {sandbox = SB})}, {true, "1"})
expect.eq(package.loaded[NAME], nil, "loading into a sandbox does not load in the host")
expect.eq(code.versions(NAME), {}, "the host has no versions of it")

local server = sandbox.run(SB, function(name)
  return otp.gen_server.start(require(name), 0)
end, NAME)
expect.eq(otp.process_info(server, "sandbox"), SB)

expect.eq(gen_server.call(server, "bump"), 1, "a host call into the sandbox")
expect.eq(gen_server.call(server, "bump"), 2)

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
]], {sandbox = SB})}, {true, "2"})
expect.eq(sandbox.run(SB, function(name)
  local v = otp.code.versions(name)
  return #v, v[#v].vsn, v[#v].current
end, NAME), 2, "the sandbox keeps both versions")

expect.eq(sys.get_state(server), 2, "suspended: v1's state, untouched by the load")
expect.eq({sys.change_code(server, NAME, "1", {step = 10})}, {true})
expect.eq(sys.get_state(server), {count = 2, step = 10, from = "1"},
          "code_change transformed the state")
expect.eq(sys.resume(server), true)

expect.eq(gen_server.call(server, "get"), {version = 2, count = 2, step = 10, from = "1"})
expect.eq(gen_server.call(server, "bump"), 12, "v2 runs on the transformed state")

-- a fresh server inside gets v2 from require
local fresh = sandbox.run(SB, function(name)
  return otp.gen_server.start(require(name), 5)
end, NAME)
expect.eq(gen_server.call(fresh, "bump"), 6)

expect.eq(gen_server.stop(server), true)
expect.eq(sandbox.destroy(SB), true)
expect.dead(fresh)
