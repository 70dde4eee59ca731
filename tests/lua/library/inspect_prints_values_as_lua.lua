-- otp.inspect (API.md section 6): Lua syntax, sorted keys, named pids, depth,
-- cycles, width, colours, and options checked.
local expect = require "otp.expect"
local inspect = otp.inspect
assert(inspect == require "otp.inspect")

-- scalars as Lua writes them
expect.eq(inspect(nil), "nil")
expect.eq(inspect(true), "true")
expect.eq(inspect(42), "42")
expect.eq(inspect(1.0), "1.0", "a float stays a float")
expect.eq(inspect(0.1), "0.1")
expect.eq(inspect(0/0), "0/0")
expect.eq(inspect(-math.huge), "-math.huge")
expect.eq(inspect("a\nb\t\"q\""), [["a\nb\t\"q\""]])
expect.eq(inspect(otp._), "otp._")

-- arrays, then the other keys sorted: numbers, strings (identifiers bare)
expect.eq(inspect({1, 2, 3}), "{1, 2, 3}")
expect.eq(inspect({b = 1, a = 2, [10] = "x", ["not id"] = 3, ["end"] = 4, 7}),
          [[{7, [10] = "x", a = 2, b = 1, ["end"] = 4, ["not id"] = 3}]])
expect.eq(inspect({}), "{}")

-- pids carry their registered name, or their label
local me = otp.self()
expect.eq(inspect(me), tostring(me))
otp.register("tester", me)
expect.eq(inspect({me}), "{" .. tostring(me):sub(1, -2) .. " tester>}")
local labelled = otp.spawn(function() otp.set_label("helper"); otp.receive() end)
expect.eventually(function() return otp.process_info(labelled, "label") == "helper" end)
expect.eq(inspect(labelled), tostring(labelled):sub(1, -2) .. " helper>")
local ref = otp.make_ref()
expect.eq(inspect(ref), tostring(ref))

-- depth limit and cycles
expect.eq(inspect({a = {b = {c = 1}}}, {depth = 2}), "{a = {b = {...}}}")
local c = {1}
c.self = c
expect.eq(inspect(c), "{1, self = <cycle>}")
local shared = {1}
expect.eq(inspect({shared, shared}), "{{1}, {1}}", "a shared table is not a cycle")

-- a value wider than `width` breaks into one item per line
local wide = {}
for i = 1, 3 do wide[i] = {id = "child" .. i, restarts = i} end
expect.eq(inspect(wide, {width = 40}), table.concat({
  "{",
  '  {id = "child1", restarts = 1},',
  '  {id = "child2", restarts = 2},',
  '  {id = "child3", restarts = 3}',
  "}"}, "\n"))
expect.eq(inspect(wide), '{{id = "child1", restarts = 1}, {id = "child2", restarts = 2}, '
                         .. '{id = "child3", restarts = 3}}')

-- long tables and strings are cut, saying how much is left out
local many = {}
for i = 1, 10 do many[i] = i end
expect.eq(inspect(many, {items = 3}), "{1, 2, 3, ... 7 more}")
expect.eq(inspect(string.rep("x", 10), {string = 4}), '"xxxx"... (10 bytes)')

-- colours only when asked, and never counted in the width
expect.eq(inspect({1}, {color = true}), "{\27[36m1\27[0m}")
expect.falsy(inspect({1, "a"}):find("\27", 1, true))

-- printing runs no user code: metatables are ignored
local hostile = setmetatable({x = 1}, {__index = function() error("ran") end,
                                        __pairs = function() error("ran") end})
expect.eq(inspect(hostile), "{x = 1}")

-- options are checked
expect.error(function() inspect(1, {depht = 2}) end, "badarg: otp.inspect has no option depht")
expect.error(function() inspect(1, 5) end, "badarg: otp.inspect options must be a table")
expect.error(function() inspect(1, {width = -1}) end, "badarg: otp.inspect option width")
