-- Misusing otp.code raises a "badarg:" error that says what was expected.
local expect = require "otp.expect"
local code = otp.code

local function bad(fn, what)
  local err = expect.error(fn, "badarg:", what)
  expect.truthy(err:find("(at ", 1, true), "the error names the caller's line: " .. err)
end

bad(function() code.load(nil, "return {}") end, "no name")
bad(function() code.load("", "return {}") end, "empty name")
bad(function() code.load(42, "return {}") end, "a number for a name")
bad(function() code.load("code_test.bad", nil) end, "no source")
bad(function() code.load("code_test.bad", function() return {} end) end, "a function for source")
bad(function() code.load("code_test.bad", "return {}", 5) end, "options not a table")
bad(function() code.load("code_test.bad", "return {}", {sandbox_name = "x"}) end, "unknown option")
bad(function() code.versions() end, "versions without a name")
bad(function() code.versions({}) end, "versions of a table")
bad(function() code.rollback(false) end, "rollback of a boolean")
bad(function() code.rollback("") end, "rollback of an empty name")

local err = expect.error(function() code.load(nil, "") end, "badarg:")
expect.truthy(err:find("non-empty string", 1, true), err)
err = expect.error(function() code.load("m", "return {}", {bogus = true}) end, "badarg:")
expect.truthy(err:find("sandbox", 1, true), "names the option there is: " .. err)

expect.eq(code.versions("code_test.bad"), {}, "nothing was loaded")
