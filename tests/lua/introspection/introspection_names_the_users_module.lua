-- Introspection names the user's module, not the library: a gen_server's
-- initial_call is "<module>:init/1" (proc_lib's {Mod, init, 1}),
-- sys.get_status's module is the callback module (behaviour says
-- "gen_server"), and which_children's modules is {module} even when the
-- child's start is a function. The module is its registered name when it is
-- loaded (require / otp.code.load), else the table's name field, else the
-- file and line where its init was defined.
local expect = require "otp.expect"
local gen_server, sys, supervisor = otp.gen_server, otp.sys, otp.supervisor

assert(otp.code.load("counter", [[
local M = {}
function M.init(n) return "ok", n end
function M.handle_call(_, _, n) return "reply", n, n end
function M.start_link(n) return otp.gen_server.start_link(M, n) end
return M
]]))
local counter = require "counter"

local named = {name = "bank"}                   -- not loaded: its name field
function named.init() return "ok", 0 end

local anonymous = {}                            -- neither: where init is
function anonymous.init() return "ok", 0 end
local anonymous_line = debug.getinfo(anonymous.init, "S").linedefined

local sup = assert(supervisor.start_link{strategy = "one_for_one", children = {
  {id = "c", start = {function() return gen_server.start_link(counter, 1) end}},
  {id = "b", start = {function() return gen_server.start_link(named, nil) end}},
  {id = "a", start = {function() return gen_server.start_link(anonymous, nil) end}},
  {id = "m", start = {counter, 2}},
}})

local pids, modules = {}, {}
for _, c in ipairs(supervisor.which_children(sup)) do
  pids[c.id], modules[c.id] = c.pid, c.modules
end
local where = debug.getinfo(1, "S").short_src .. ":" .. anonymous_line

expect.eq(otp.process_info(pids.c, "initial_call"), "counter:init/1")
expect.eq(otp.process_info(pids.b, "initial_call"), "bank:init/1")
expect.eq(otp.process_info(pids.a, "initial_call"), where .. ":init/1")

expect.eq(sys.get_status(pids.c).module, "counter")
expect.eq(sys.get_status(pids.c).behaviour, "gen_server")
expect.eq(sys.get_status(pids.b).module, "bank")
expect.eq(sys.get_status(sup).module, "supervisor")

expect.eq(modules.c, {"counter"}, "a function start: the module the child runs")
expect.eq(modules.m, {"counter"}, "a module start: that module")
expect.eq(modules.b, {"bank"})
