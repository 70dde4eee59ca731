-- A version that does not compile, raises while its chunk runs, or does not
-- return a table is refused with nil and a message, and changes nothing:
-- require still returns the current version and versions() is the same.
local expect = require "otp.expect"
local code = otp.code

local NAME = "code_test.failing"
expect.eq({code.load(NAME, "return {vsn = 'good', ok = function() return 'good' end}")},
          {true, "good"})
local before = code.versions(NAME)

local function starts(s, prefix) return type(s) == "string" and s:sub(1, #prefix) == prefix end
local function unchanged(what)
  expect.eq(require(NAME).ok(), "good", what .. ": require still returns the good version")
  expect.eq(code.versions(NAME), before, what .. ": versions unchanged")
  expect.eq({code.rollback(NAME)}, {nil, "no_previous_version"}, what .. ": no previous version")
end

-- a syntax error: the message names the module and the line
local ok, msg = code.load(NAME, "local M = {}\nfunction M.ok() return 'bad' end\nlocal x = = 3\nreturn M\n")
expect.eq(ok, nil)
expect.truthy(starts(msg, NAME .. ":3:"), "syntax error message with the line, got " .. tostring(msg))
unchanged("syntax error")

-- an error raised while the chunk runs (its globals are thrown away too)
ok, msg = code.load(NAME, "leaked = true\nlocal M = {}\nerror('boom')\nreturn M\n")
expect.eq(ok, nil)
expect.truthy(type(msg) == "string" and msg:find(NAME .. ":3: boom", 1, true),
              "runtime error message with the line, got " .. tostring(msg))
expect.eq(leaked, nil)
unchanged("runtime error")

-- a chunk that does not return its module table
ok, msg = code.load(NAME, "return 42")
expect.eq(ok, nil)
expect.truthy(type(msg) == "string" and msg:find("must return its module table", 1, true), msg)
ok, msg = code.load(NAME, "local M = {}")
expect.eq(ok, nil)
expect.truthy(type(msg) == "string" and msg:find("must return its module table", 1, true), msg)
unchanged("no module table")

-- bytecode is never loaded (text only, as everywhere in otplab)
ok, msg = code.load(NAME, string.dump(function() return {} end))
expect.eq(ok, nil)
expect.truthy(type(msg) == "string" and msg:find("binary chunk", 1, true), msg)
unchanged("binary chunk")

-- a first load that fails leaves the module unknown
local FRESH = "code_test.never_loaded"
expect.eq(code.load(FRESH, "return ("), nil)
expect.eq(code.versions(FRESH), {})
expect.eq(pcall(require, FRESH), false)
