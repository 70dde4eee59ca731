-- Proves: a process can fail in every way Lua allows without taking otplab
-- down (API.md "Results and errors", section 1 exit reasons): error with a
-- table, error(nil), error with a function or a cyclic table, runtime type
-- errors, stack overflow (Lua and C), a string.rep bomb (killed under
-- max_heap), an error value whose __tostring raises or misbehaves. Each
-- process's DOWN arrives with a sensible reason, and this scenario carries on.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local me = otp.self()

-- Runs body in a monitored process; returns its DOWN reason (or fails).
local function reason_of(body, what, opts)
  local pid, ref
  if opts then
    opts.monitor = true
    pid, ref = otp.spawn_opt(body, opts)
  else
    pid, ref = otp.spawn_monitor(body)
  end
  local down = otp.receive(function(m)
    return type(m) == "table" and m[1] == "DOWN" and m[2] == ref
  end, 5000)
  assert(down, what .. ": no DOWN within 5 s")
  check(down[4] == pid, what .. ": the DOWN names another pid")
  return down[5]
end

local function is_error(reason)
  return type(reason) == "table" and reason[1] == "error"
end

local function has_traceback(reason)
  return type(reason[3]) == "string" and #reason[3] > 0
end

-- error with a table value: the value itself is in the reason.
local r = reason_of(function() error({ code = 42, detail = { "x" } }) end, "error(table)")
check(is_error(r), "error(table): reason is not {'error', ...}")
check(is_error(r) and type(r[2]) == "table" and r[2].code == 42 and r[2].detail[1] == "x",
  "error(table): the table is not the reason's second element")
check(is_error(r) and has_traceback(r), "error(table): no traceback string in the reason")

-- error(nil)
r = reason_of(function() error(nil) end, "error(nil)")
check(is_error(r) and r[2] == nil and has_traceback(r), "error(nil): reason should be {'error', nil, traceback}")

-- error with a string: message kept with its position.
r = reason_of(function() error("plain boom") end, "error(string)")
check(is_error(r) and type(r[2]) == "string" and r[2]:find("plain boom", 1, true), "error(string): message lost")

-- Values that could never be sent as messages still make a reason.
r = reason_of(function() error(print) end, "error(function)")
check(is_error(r), "error(function): reason is not {'error', ...}: " .. tostring(r))
r = reason_of(function() local t = {} t.self = t error(t) end, "error(cyclic table)")
check(is_error(r) and (type(r[2]) ~= "table" or r[2].self == r[2]), "error(cyclic table): reason is not sensible")
r = reason_of(function() error(coroutine.create(print)) end, "error(coroutine)")
check(is_error(r), "error(coroutine): reason is not {'error', ...}")

-- Runtime type errors.
r = reason_of(function() local x = nil; return x.field end, "index nil")
check(is_error(r) and tostring(r[2]):find("attempt to index"), "index nil: reason " .. tostring(is_error(r) and r[2]))
r = reason_of(function() return {} + 1 end, "arithmetic on a table")
check(is_error(r) and tostring(r[2]):find("arithmetic"), "arithmetic on a table: wrong reason")
r = reason_of(function() local f = 5; f() end, "call a number")
check(is_error(r) and tostring(r[2]):find("attempt to call"), "call a number: wrong reason")

-- Stack overflow: Lua recursion, and recursion through a C boundary. The Lua
-- case uses fat frames so it overflows after a few thousand calls; the plain
-- one-line recursion has its own scenario (deep_recursion_overflows_promptly).
local names = {}
for i = 1, 180 do names[i] = "v" .. i end
local fat = assert(load("local deep\ndeep = function(n) local " .. table.concat(names, ", ")
  .. " = n\nreturn 1 + deep(n + 1) + v1 + v180 end\nreturn deep"))()
r = reason_of(function() fat(1) end, "Lua stack overflow")
check(is_error(r) and tostring(r[2]):find("stack overflow"), "Lua stack overflow: reason "
  .. tostring(is_error(r) and r[2] or r))
r = reason_of(function()
  local t = setmetatable({}, {})
  getmetatable(t).__index = function(self, k) return self[k] end
  return t.anything
end, "C stack overflow through __index")
check(is_error(r) and tostring(r[2]):find("overflow"), "C stack overflow: reason " .. tostring(is_error(r) and r[2] or r))

-- A string.rep bomb under max_heap is killed...
r = reason_of(function() local s = string.rep("x", 1 << 30) return #s end, "string.rep bomb under max_heap",
  { max_heap = 1 << 20 })
check(r == "killed", "string.rep bomb under max_heap: reason " .. tostring(r) .. ", expected 'killed'")
-- ...and so is a doubling loop.
r = reason_of(function() local s = "x" while true do s = s .. s end end, "doubling string under max_heap",
  { max_heap = 1 << 20 })
check(r == "killed", "doubling string under max_heap: reason " .. tostring(r) .. ", expected 'killed'")
-- A string too large for Lua at all is an ordinary error.
r = reason_of(function() return string.rep("x", math.maxinteger) end, "string.rep too large")
check(is_error(r) or r == "killed", "string.rep(math.maxinteger): reason " .. tostring(r))

-- Error values whose __tostring misbehaves (crash reports call tostring).
r = reason_of(function()
  error(setmetatable({}, { __tostring = function() error("tostring failed") end }))
end, "__tostring raises")
check(is_error(r), "__tostring raises: reason is not {'error', ...}: " .. type(r))
r = reason_of(function()
  error(setmetatable({}, { __tostring = function() return 42 end }))
end, "__tostring returns a number")
check(is_error(r), "__tostring returns a number: reason is not {'error', ...}")
r = reason_of(function()
  error(setmetatable({}, { __tostring = function() return string.rep("t", 1 << 30) end }))
end, "__tostring bomb under max_heap", { max_heap = 1 << 20 })
check(is_error(r) or r == "killed", "__tostring bomb under max_heap: reason " .. tostring(r))
r = reason_of(function()
  error(setmetatable({}, { __name = "Weird", __index = function() error("index failed") end }))
end, "error value with a raising __index")
check(is_error(r), "error value with a raising __index: reason is not {'error', ...}")

-- A crash in a linked process reaches a trapping parent as an EXIT message.
otp.trap_exit(true)
local linked = otp.spawn_link(function() error({ linked = true }) end)
local exit = otp.receive(function(m) return type(m) == "table" and m[1] == "EXIT" and m[2] == linked end, 2000)
check(exit and is_error(exit[3]) and type(exit[3][2]) == "table" and exit[3][2].linked == true,
  "a linked crash did not arrive as {'EXIT', pid, {'error', value, tb}}")
otp.trap_exit(false)

-- The node still works.
otp.spawn(function() otp.send(me, "alive") end)
check(otp.receive(function(m) return m == "alive" end, 2000) == "alive", "the node stopped working")

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
