-- sys.trace(server, true) prints one "*DBG*" line per event to the
-- standard output (the default output file, io.output(), which this test
-- points at a temporary file to read the lines back).
local expect = require "otp.expect"
local gen_server = otp.gen_server
local sys = otp.sys
local main = otp.self()

local mod = {}
function mod.init() return "ok", 0 end
function mod.handle_call(req, from, n) return "reply", n + 1, n + 1 end

local server = assert(gen_server.start_link(mod))
local path = os.tmpname()
local file = assert(io.open(path, "w"))
local saved = io.output()
io.output(file)
sys.trace(server, true)
gen_server.call(server, "next")
sys.trace(server, false)
gen_server.call(server, "next")
io.output(saved)
file:close()
local lines = {}
for line in io.lines(path) do lines[#lines + 1] = line end
os.remove(path)
local s, m = tostring(server), tostring(main)
expect.eq(lines, {
  "*DBG* " .. s .. " got call \"next\" from " .. m,
  "*DBG* " .. s .. " sent 1 to " .. m .. ", new state 1",
})
gen_server.stop(server)
