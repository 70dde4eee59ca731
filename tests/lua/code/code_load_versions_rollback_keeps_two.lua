-- otp.code.load installs a module version that require then returns; the
-- version that was current is kept as the previous one (Erlang's old code),
-- rollback makes it current again, and only two versions are ever kept.
-- A version loaded from a file by require counts as the current one.
local expect = require "otp.expect"
local code = otp.code
local _ = otp._

local NAME = "code_test.greeter"
local function source(n, with_vsn)
  return (with_vsn and "local M = {vsn = %q}\n" or "local M = {}\n"):format(tostring(n)) ..
         ("function M.hello(who) return string.format('hello %%s from %d', who) end\n"):format(n) ..
         "return M\n"
end

expect.eq(code.versions(NAME), {}, "never loaded")
expect.eq({code.rollback(NAME)}, {nil, "no_previous_version"})
expect.eq(pcall(require, NAME), false, "nothing to require yet")

-- version 1 (no vsn field: the generation, an integer)
expect.eq({code.load(NAME, source(1))}, {true, 1})
local m1 = require(NAME)
expect.eq(m1.hello("a"), "hello a from 1")
expect.eq(code.versions(NAME), {{vsn = 1, current = true, loaded_at_ms = _}})
expect.eq(math.type(code.versions(NAME)[1].loaded_at_ms), "integer")
expect.error(function() m1.extra = true end, "badarg", "module tables are read-only to processes")

-- version 2 (an explicit vsn): current; version 1 is kept as the previous one
expect.eq({code.load(NAME, source(2, true))}, {true, "2"})
expect.eq(require(NAME).hello("b"), "hello b from 2")
expect.eq(m1.hello("c"), "hello c from 1", "a table already held keeps its code")
expect.eq(code.versions(NAME), {{vsn = 1, current = false, loaded_at_ms = _},
                                {vsn = "2", current = true, loaded_at_ms = _}})

-- rollback: version 1 again, and no previous version left
expect.eq({code.rollback(NAME)}, {true, 1})
expect.eq(require(NAME).hello("d"), "hello d from 1")
expect.eq(code.versions(NAME), {{vsn = 1, current = true, loaded_at_ms = _}})
expect.eq({code.rollback(NAME)}, {nil, "no_previous_version"})

-- two more loads: only the last two are kept (generations go on counting)
expect.eq({code.load(NAME, source(3))}, {true, 3})
expect.eq({code.load(NAME, source(4))}, {true, 4})
expect.eq(code.versions(NAME), {{vsn = 3, current = false, loaded_at_ms = _},
                                {vsn = 4, current = true, loaded_at_ms = _}})
expect.eq({code.rollback(NAME)}, {true, 3})
expect.eq(require(NAME).hello("e"), "hello e from 3")

-- every process sees the current version
local me = otp.self()
otp.spawn(function() otp.send(me, {"child", require(NAME).hello("child")}) end)
expect.eq(expect.receive(function(m) return m[1] == "child" end), {"child", "hello child from 3"})

-- a module's globals are its own, and it sees the standard library
expect.truthy(code.load("code_test.globals", [[
counter = 41
local M = {}
function M.next() counter = counter + 1; return counter, math.type(counter), _G.counter end
return M
]]))
expect.eq({require("code_test.globals").next()}, {42, "integer", 42})
expect.eq(counter, nil, "the module's global is not the process's")

-- a module first loaded from a file by require becomes the previous version
local tmp = os.tmpname()
os.remove(tmp)
local dir, file_name = tmp:match("^(.*)/([^/]+)$")
file_name = "code_test_" .. file_name:gsub("%W", "_")
local out = assert(io.open(dir .. "/" .. file_name .. ".lua", "w"))
out:write("return {vsn = 'file', where = function() return 'file' end}\n")
out:close()
package.path = dir .. "/?.lua;" .. package.path
expect.eq(require(file_name).where(), "file")
expect.eq(code.versions(file_name), {{vsn = "file", current = true, loaded_at_ms = _}})
expect.eq({code.load(file_name, "return {where = function() return 'loaded' end}")}, {true, 2})
expect.eq(require(file_name).where(), "loaded")
expect.eq({code.rollback(file_name)}, {true, "file"})
expect.eq(require(file_name).where(), "file")
os.remove(dir .. "/" .. file_name .. ".lua")
