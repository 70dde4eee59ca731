-- Issue 9, class 1: the library's internal bindings (the supervisor
-- machines, the sandbox and fault cores) and the raw module table are not
-- reachable from user code, in the host or in a sandbox: not as otp.X, not
-- through require or package.loaded, not through debug.
local expect = require "otp.expect"
local function probe()
  local found = {}
  for _, name in ipairs({"supervisor_core", "sandbox_core", "fault_core"}) do
    if otp[name] ~= nil then found[#found + 1] = "otp." .. name end
    if rawget(_G, "otp_internal") ~= nil then found[#found + 1] = "otp_internal" end
    local ok, m = pcall(require, "otp." .. name)
    if ok and m ~= nil then found[#found + 1] = "require otp." .. name end
  end
  for k, v in pairs(package.loaded) do
    if type(v) == "table" and (rawget(v, "supervisor_core") or rawget(v, "deliver")) then
      found[#found + 1] = "package.loaded." .. tostring(k)
    end
  end
  if otp.supervisor._private ~= nil then found[#found + 1] = "otp.supervisor._private" end
  if debug and (debug.getupvalue or debug.getregistry) then found[#found + 1] = "debug" end
  return found
end
-- the library still works on them: a supervisor starts and answers
local sup = otp.supervisor.start_link{strategy = "one_for_one", children = {}}
expect.eq(otp.supervisor.count_children(sup).specs, 0)
otp.fault.clear()
expect.eq(probe(), {}, "nothing internal is visible in the host")
otp.sandbox.create("s", {})
expect.eq(otp.sandbox.run("s", probe), {}, "nothing internal is visible in a sandbox")
otp.sandbox.destroy("s")
