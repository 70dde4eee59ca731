-- Proves: otp.spawn copies the function's arguments and upvalues into the
-- child (API.md section 2, DESIGN.md "Share nothing"). Tables are deep-copied
-- with shared sub-tables and cycles preserved, functions are copied with their
-- own upvalues (two closures sharing one cell still share one copied cell),
-- recursive local functions keep working, and module tables are shared but
-- read-only to every process.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local parent = otp.self()

-- Waits (bounded) for the next message {tag, ...} and returns it.
local function await(tag, ms)
  local m = otp.receive(function(m) return type(m) == "table" and m[1] == tag end, ms or 2000)
  assert(m, "timed out waiting for a {" .. tostring(tag) .. ", ...} message")
  return m
end

local function starts_with_badarg(e)
  return type(e) == "string" and e:sub(1, 7) == "badarg:"
end

-- 1. Arguments: the child mutates its copy, the parent mutates the original;
--    neither sees the other's change.
do
  local t = { n = 1, list = { 1, 2, 3 } }
  local child = otp.spawn(function(p, arg)
    arg.n = 99
    arg.list[1] = "child"
    arg.child_added = true
    otp.send(p, { "arg_mutated" })
    await("parent_mutated")
    otp.send(p, { "arg_view", arg.n, arg.list[1], arg.list[2], arg.parent_added })
  end, parent, t)
  await("arg_mutated")
  check(t.n == 1, "args: child's t.n = 99 is visible in the parent")
  check(t.list[1] == 1, "args: child's nested mutation is visible in the parent")
  check(t.child_added == nil, "args: child's new key is visible in the parent")
  t.list[2] = "parent"
  t.parent_added = true
  otp.send(child, { "parent_mutated" })
  local v = await("arg_view")
  check(v[2] == 99 and v[3] == "child", "args: child lost its own mutations")
  check(v[4] == 2, "args: parent's nested mutation is visible in the child")
  check(v[5] == nil, "args: parent's new key is visible in the child")
end

-- 2. Upvalues: assigning an upvalue or mutating a table upvalue in the child
--    is invisible to the parent, and the reverse.
do
  local counter = 0
  local shared = { x = 1 }
  local child = otp.spawn(function()
    counter = counter + 10
    shared.x = 2
    otp.send(parent, { "up_mutated", counter, shared.x })
    await("parent_mutated")
    otp.send(parent, { "up_view", counter, shared.x, shared.y })
  end)
  local m = await("up_mutated")
  check(m[2] == 10 and m[3] == 2, "upvalues: child does not see its own assignments")
  check(counter == 0, "upvalues: child's assignment to an upvalue is visible in the parent")
  check(shared.x == 1, "upvalues: child's mutation of a table upvalue is visible in the parent")
  counter = 500
  shared.y = "parent"
  otp.send(child, { "parent_mutated" })
  local v = await("up_view")
  check(v[2] == 10, "upvalues: parent's assignment to an upvalue is visible in the child")
  check(v[4] == nil, "upvalues: parent's table mutation is visible in the child")
end

-- 3. A function passed as an argument is copied with its own upvalues.
do
  local n = 0
  local function inc() n = n + 1; return n end
  otp.spawn(function(f)
    local a = f()
    local b = f()
    otp.send(parent, { "inc", a, b })
  end, inc)
  local m = await("inc")
  check(m[2] == 1 and m[3] == 2, "function arg: the copied closure does not keep its own state")
  check(n == 0, "function arg: calling the copy in the child changed the parent's upvalue")
  check(inc() == 1, "function arg: the parent's closure was affected by the child")
end

-- 4. Two closures sharing one upvalue cell in the parent share ONE copied cell
--    in the child: as upvalues of the spawned function, and as two arguments.
do
  local cell = 0
  local function get() return cell end
  local function set(v) cell = v end
  otp.spawn(function()
    set(5)
    otp.send(parent, { "cell_upvalues", get() })
  end)
  check(await("cell_upvalues")[2] == 5, "shared cell (upvalues): get() does not see set() in the child")
  otp.spawn(function(g, s)
    s(7)
    otp.send(parent, { "cell_args", g() })
  end, get, set)
  check(await("cell_args")[2] == 7, "shared cell (arguments): get() does not see set() in the child")
  check(cell == 0 and get() == 0, "shared cell: the child's set() reached the parent's cell")
end

-- 5. Recursive and mutually recursive local functions work in the child.
do
  local function fact(k) if k <= 1 then return 1 end return k * fact(k - 1) end
  local is_even, is_odd
  function is_even(k) if k == 0 then return true end return is_odd(k - 1) end
  function is_odd(k) if k == 0 then return false end return is_even(k - 1) end
  otp.spawn(function()
    otp.send(parent, { "recursive", fact(10), is_even(10), is_odd(7) })
  end)
  local m = await("recursive")
  check(m[2] == 3628800, "recursion: fact(10) in the child is " .. tostring(m[2]))
  check(m[3] == true and m[4] == true, "recursion: mutually recursive locals broke in the child")
end

-- 6. Shared sub-tables and cycles survive the copy, in arguments and upvalues.
do
  local sub = { 1 }
  local t = { a = sub, b = sub }
  t.self = t
  local up = { name = "up" }
  up.me = up
  up.pair = { up, up }
  otp.spawn(function(arg)
    otp.send(parent, { "cycles",
      arg.a == arg.b, arg.self == arg, arg.a[1] == 1,
      up.me == up, up.pair[1] == up and up.pair[2] == up })
  end, t)
  local m = await("cycles")
  check(m[2] == true, "shared sub-table: t.a == t.b is false in the child")
  check(m[3] == true, "cycle: t.self == t is false in the child")
  check(m[4] == true, "shared sub-table: contents lost")
  check(m[5] == true, "cycle in an upvalue table lost")
  check(m[6] == true, "shared references inside an upvalue table lost")
  -- One spawn is one copy: the same table reached through two arguments, or
  -- through an argument and an upvalue, is one table in the child.
  otp.spawn(function(x, y)
    otp.send(parent, { "across", x == y, x == sub })
  end, sub, sub)
  local a = await("across")
  check(a[2] == true, "one spawn, one copy: the same table passed as two arguments became two tables")
  check(a[3] == true, "one spawn, one copy: a table passed as an argument and captured as an upvalue became two tables")
end

-- 7. Module tables are code: shared (the same table, whether reached as a
--    global, an upvalue, an argument or through require) and read-only in every
--    process, the first one included.
do
  local s = string
  local child = otp.spawn(function(arg)
    local ok, err = pcall(function() string.otplab_test = 1 end)
    local ok2, err2 = pcall(function() math.pi = 3 end)
    otp.send(parent, { "modules",
      s == string, arg == string, require("string") == string,
      ok, tostring(err), ok2, tostring(err2),
      string.otplab_test == nil and math.pi > 3.14 })
  end, string)
  local m = await("modules")
  check(m[2] == true, "module: a module table captured as an upvalue was copied, not shared")
  check(m[3] == true, "module: a module table passed as an argument was copied, not shared")
  check(m[4] == true, "module: require('string') ~= string in the child")
  check(m[5] == false, "module: the child could assign string.otplab_test")
  check(starts_with_badarg(m[6]), "module: assigning in the child: error should start with 'badarg:', got: " .. m[6])
  check(m[7] == false, "module: the child could assign math.pi")
  check(starts_with_badarg(m[8]), "module: assigning math.pi: error should start with 'badarg:', got: " .. m[8])
  check(m[9] == true, "module: a module table was changed despite the error")
  local ok, err = pcall(function() table.otplab_test = 1 end)
  check(not ok, "module: the first process could assign table.otplab_test")
  check(starts_with_badarg(err), "module: assigning in the first process: error should start with 'badarg:', got: " .. tostring(err))
  check(table.otplab_test == nil, "module: table.otplab_test was stored despite the error")
  local otpmod = require "otp"
  local ok2 = pcall(function() otpmod.otplab_test = 1 end)
  check(not ok2 and otpmod.otplab_test == nil, "module: require 'otp' is writable")

  -- A module written in Lua (found on package.path), when it is installed:
  -- every process gets the same table from require, and none can change it.
  local found, lmod = pcall(require, "otp.expect")
  if found and type(lmod) == "table" then
    otp.spawn(function()
      local again = require "otp.expect"
      local okw, errw = pcall(function() again.otplab_test = 1 end)
      otp.send(parent, { "lua_module", again == lmod, okw, tostring(errw) })
    end)
    local lm = await("lua_module")
    check(lm[2] == true, "module: require 'otp.expect' in a child is not the parent's table")
    check(lm[3] == false and starts_with_badarg(lm[4]), "module: a Lua module is writable in a child: " .. lm[4])
  end
end

-- 8. An object with a metatable (a class) is copied together with its class:
--    the child may change the class, the parent's stays as it was.
do
  local Class = {}
  Class.__index = Class
  function Class.get(self) return self.x end
  local obj = setmetatable({ x = 1 }, Class)
  otp.spawn(function(o)
    getmetatable(o).get = function() return "changed in the child" end
    Class.added = true
    otp.send(parent, { "object", o:get(), getmetatable(o) == Class, obj:get() })
  end, obj)
  local m = await("object")
  check(m[2] == "changed in the child", "object: the child's change to its class did not apply in the child")
  check(m[3] == true, "object: the argument's metatable and the upvalue Class became two tables")
  check(m[4] == "changed in the child", "object: the upvalue obj does not share the child's Class")
  check(obj:get() == 1 and Class.added == nil, "object: the child's change to the class reached the parent")
end

-- 9. A value that cannot be copied (a coroutine or a file handle as an
--    upvalue or argument) is a badarg, and no process is left behind.
do
  local co = coroutine.create(function() end)
  local before = otp.statistics("process_count")
  local ok, err = pcall(otp.spawn, function() return co end)
  check(not ok and starts_with_badarg(tostring(err)), "spawn with a coroutine upvalue: not a badarg: " .. tostring(err))
  check(tostring(err):find("co", 1, true) ~= nil, "spawn with a coroutine upvalue: the error does not name it")
  local ok2, err2 = pcall(otp.spawn, function() end, 1, io.stdout)
  check(not ok2 and starts_with_badarg(tostring(err2)), "spawn with a file argument: not a badarg: " .. tostring(err2))
  check(otp.statistics("process_count") == before, "a failed spawn left a process behind")
end

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
