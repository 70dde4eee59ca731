-- Inside a sandbox the standard library is restricted: no io, debug,
-- dofile, loadfile, package.loadlib; os has only clock/date/difftime/time;
-- collectgarbage only "count"; load refuses binary chunks (string.dump then
-- load); __gc metatables raise badarg; require "io" / "debug" fail; and the
-- node-wide controls (log level, tracing, sandboxes) are refused. Text
-- chunks still load. allow = {"io"} gives io back, allow = {"os"} all of os.
local expect = require "otp.expect"
local sandbox = otp.sandbox

expect.eq(sandbox.create("sbx_lib", {}), true)

local seen = sandbox.run("sbx_lib", function()
  local r = {}
  local function err(fn, ...)
    local ok, e = pcall(fn, ...)
    if ok then return "returned" end
    return type(e) == "string" and e or "non-string error"
  end
  r.io, r.debug, r.dofile, r.loadfile = type(io), type(debug), type(dofile), type(loadfile)
  r.loadlib = type(package.loadlib)
  local os_keys = {}
  for k in pairs(os) do os_keys[#os_keys + 1] = k end
  table.sort(os_keys)
  r.os = os_keys
  r.require_io = err(require, "io")
  r.require_debug = err(require, "debug")
  -- load of a binary chunk: nil and a message, as load does for a bad mode
  local chunk, why = load(string.dump(function() return 1 end))
  r.binary_load = {chunk == nil, why}
  r.text_load = load("return 6 * 7")()
  r.collect = err(collectgarbage, "collect")
  r.count = math.type(collectgarbage("count")) ~= nil
  r.gc = err(setmetatable, {}, {__gc = function() end})
  r.plain_mt = getmetatable(setmetatable({}, {__index = {x = 1}})) ~= nil
  r.log_level = err(otp.log_level, "none")
  r.trace = err(otp.trace.start, {})
  r.create = err(otp.sandbox.create, "nested", {})
  return r
end)

expect.eq(seen.io, "nil")
expect.eq(seen.debug, "nil")
expect.eq(seen.dofile, "nil")
expect.eq(seen.loadfile, "nil")
expect.eq(seen.loadlib, "nil")
expect.eq(seen.os, {"clock", "date", "difftime", "time"}, "os has the clock only")
expect.eq(seen.require_io:sub(1, 17), "module 'io' not f", "require \"io\" fails")
expect.eq(seen.require_debug:sub(1, 20), "module 'debug' not f")
expect.eq(seen.binary_load[1], true, "a binary chunk does not load")
expect.truthy(seen.binary_load[2]:find("binary", 1, true), seen.binary_load[2])
expect.eq(seen.text_load, 42, "text chunks load")
expect.eq(seen.collect:sub(1, 7), "badarg:", "collectgarbage(\"collect\") is refused")
expect.eq(seen.count, true, "collectgarbage(\"count\") works")
expect.eq(seen.gc:sub(1, 7), "badarg:", "__gc is refused")
expect.eq(seen.plain_mt, true, "other metatables are fine")
expect.eq(seen.log_level:sub(1, 7), "badarg:")
expect.eq(seen.trace:sub(1, 7), "badarg:")
expect.eq(seen.create:sub(1, 7), "badarg:")

-- allow = {"io"}
expect.eq(sandbox.create("sbx_lib_io", {allow = {"io"}}), true)
expect.eq({sandbox.run("sbx_lib_io", function()
  return type(io), type(io.write), type(io.open), (pcall(require, "io")), type(os.execute)
end)}, {"table", "function", "function", true, "nil"}, "allow io gives io, not os")

-- allow = {"os"}
expect.eq(sandbox.create("sbx_lib_os", {allow = {"os"}}), true)
expect.eq({sandbox.run("sbx_lib_os", function()
  return type(io), type(os.execute), type(os.getenv), type(os.clock)
end)}, {"nil", "function", "function", "function"}, "allow os gives os, not io")

-- the host is unaffected
expect.eq(type(io.write), "function")
expect.eq(type(debug.traceback), "function")

for _, n in ipairs({"sbx_lib", "sbx_lib_io", "sbx_lib_os"}) do
  expect.eq(sandbox.destroy(n), true)
end
