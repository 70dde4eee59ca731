-- A gen_server running inside a sandbox whose handle_call raises
-- error("boom") behaves as on the host (rule B4): terminate({"error",
-- "boom", ...}, state) is called and the server exits with that reason; a
-- host caller's gen_server.call exits with {reason, {"gen_server", "call",
-- ...}}. The crash report (which asks otp.log_level()) must not replace the
-- reason.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()
otp.log_level("none")        -- the crash report itself is not the point

expect.eq(sandbox.create("sbx_gs_crash", {}), true)
local server = sandbox.run("sbx_gs_crash", function(host)
  local M = {}
  function M.init() return "ok", 0 end
  function M.handle_call() error("boom") end
  function M.terminate(reason, state) otp.send(host, {"terminate", reason, state}) end
  return otp.gen_server.start(M, nil)
end, me)
expect.eq(otp.process_info(server, "sandbox"), "sbx_gs_crash")
local ref = otp.monitor(server)

local ok, err = pcall(otp.gen_server.call, server, "x")
expect.eq(ok, false)
local t = expect.receive({"terminate"})
local down = expect.receive({"DOWN", ref})
expect.eq(sandbox.destroy("sbx_gs_crash"), true)

expect.eq(t[3], 0)
expect.eq(type(t[2]), "table")
expect.eq(t[2][1], "error")
expect.truthy(type(t[2][2]) == "string" and t[2][2]:find("boom", 1, true),
  "terminate gets the callback's error, got " .. expect.format(t[2][2]))
expect.eq(down[5][1], "error")
expect.truthy(type(down[5][2]) == "string" and down[5][2]:find("boom", 1, true),
  "the server exits with the callback's error, got " .. expect.format(down[5][2]))
expect.eq(err[2][2], {"gen_server", "call", {server, "x"}})
