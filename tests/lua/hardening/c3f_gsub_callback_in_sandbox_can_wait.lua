-- C3f: a sandbox's string.gsub calls its replacement function so that the
-- function can yield: a callback that waits in receive (or runs for many
-- slices) is suspended and resumed like any Lua code, instead of being a
-- call that cannot be preempted. The replacements arrive in order and the
-- result is Lua's.
local expect = otp.expect
local me = otp.self()
expect.eq(otp.sandbox.create("c3f_cb", {}), true)
local pid, ref = otp.spawn_opt(function(host)
  local r, n = ("abc"):gsub("%w", function(c)
    otp.send(host, {"asks", c})
    return c:upper() .. otp.receive({"give"})[2]
  end)
  otp.send(host, {"result", r, n})
end, {sandbox = "c3f_cb", monitor = true}, me)
for _, c in ipairs{"a", "b", "c"} do
  expect.eq(expect.receive({"asks"}, 10000), {"asks", c})
  otp.send(pid, {"give", c .. c})
end
expect.eq(expect.receive({"result"}, 10000), {"result", "AaaBbbCcc", 3})
expect.eq(expect.receive({"DOWN", ref}, 10000)[5], "normal")
otp.sandbox.destroy("c3f_cb")
