-- Proves (issue 9 class 1): the supervisor, sandbox and fault cores behind
-- otp.supervisor, otp.sandbox and otp.fault, the supervisor driver and the
-- library's otp_internal table are not reachable from user code, in the
-- host or in a sandbox: not as otp.X, not through require or package.loaded,
-- not by loading a copy of a library file from another directory, not by
-- calling the library's loader from package.searchers. The library itself
-- still works (a supervisor and a sandbox run).

local expect = require "otp.expect"
local supervisor = require "otp.supervisor"

local function internal_reachable()
  local found = {}
  if otp.supervisor._private ~= nil then found[#found + 1] = "otp.supervisor._private" end
  if rawget(_G, "otp_internal") ~= nil then found[#found + 1] = "otp_internal" end
  for _, name in ipairs({ "supervisor_core", "sandbox_core", "fault_core" }) do
    if otp[name] ~= nil then found[#found + 1] = "otp." .. name end
    if rawget(otp, name) ~= nil then found[#found + 1] = "rawget(otp, " .. name .. ")" end
    if package.loaded["otp." .. name] ~= nil then found[#found + 1] = "package.loaded" end
    local ok, m = pcall(require, "otp." .. name)
    if ok and m ~= nil then found[#found + 1] = "require otp." .. name end
  end
  for k, v in pairs(package.loaded) do
    if type(v) == "table" and (rawget(v, "supervisor_core") or rawget(v, "sandbox_core")) then
      found[#found + 1] = "package.loaded." .. tostring(k)
    end
  end
  -- the library's loader, called by hand, gives back the module only
  local searcher = package.searchers[2]
  local loader, extra = searcher("otp.supervisor")
  if type(loader) == "function" then
    local r = { pcall(loader, "otp.supervisor", extra) }
    for i = 2, #r do
      if type(r[i]) == "table" and (r[i].supervisor_core or r[i].sandbox_core or r[i].deliver) then
        found[#found + 1] = "searcher loader result " .. i
      end
    end
  end
  return table.concat(found, ", ")
end

expect.eq(internal_reachable(), "", "nothing internal is reachable from the host")


-- a copy of a library file on a path of the user's own gets no internals
local src = assert(package.searchpath("otp.sandbox", package.path))
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p '" .. dir .. "/otp' && cp '" .. src .. "' '" .. dir .. "/otp/c1_copy.lua'"))
package.path = dir .. "/?.lua;" .. package.path
local ok, err = pcall(require, "otp.c1_copy")
expect.eq(ok, false, "a copied library file is not given the internal table")
expect.truthy(tostring(err):find("attempt to index a nil value", 1, true), tostring(err))
os.execute("rm -rf '" .. dir .. "'")

-- inside a sandbox too
expect.eq(otp.sandbox.create("c1_box", {}), true)
expect.eq(otp.sandbox.run("c1_box", internal_reachable), "", "nothing internal inside a sandbox")
otp.sandbox.destroy("c1_box")

-- the library still has what it needs
local sup = assert(supervisor.start_link { strategy = "one_for_one", children = {
  { id = "w", start = { function() return otp.spawn_link(function() otp.receive() end) end } },
} })
expect.eq(#supervisor.which_children(sup), 1, "a supervisor runs on its internal machine")
