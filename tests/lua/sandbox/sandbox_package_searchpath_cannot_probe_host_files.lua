-- A sandbox has no files (no io, dofile, loadfile): it must not be able to
-- learn which files exist on the host either. package.searchpath opens the
-- candidate files (fopen) to test them, so, if it is left in the sandbox's
-- restricted package table, a sandbox can probe any path of the host
-- (package.searchpath("passwd", "/etc/?") returns "/etc/passwd").
-- Expected: package.searchpath is absent or refuses paths outside the
-- library path; here it must not reveal whether a host file exists.
local expect = require "otp.expect"
local sandbox = otp.sandbox

-- a file the host can see, and a name that does not exist
local path = os.tmpname()
local f = assert(io.open(path, "w")); f:write("x"); f:close()
local dir, base = path:match("^(.*)/([^/]+)$")

expect.eq(sandbox.create("sbx_search", {}), true)
local found, missing = sandbox.run("sbx_search", function(d, b)
  if type(package.searchpath) ~= "function" then return "absent", "absent" end
  local ok1, r1 = pcall(package.searchpath, b, d .. "/?")
  local ok2, r2 = pcall(package.searchpath, b .. ".nope", d .. "/?")
  return ok1 and tostring(r1) or "refused", ok2 and tostring(r2) or "refused"
end, dir, base)
os.remove(path)
expect.eq(sandbox.destroy("sbx_search"), true)

expect.eq(found, missing,
  "package.searchpath inside a sandbox must not tell an existing host file (" .. path ..
  ") from a missing one")
