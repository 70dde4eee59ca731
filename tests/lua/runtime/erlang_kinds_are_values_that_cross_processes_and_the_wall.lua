-- Binaries, charlists and bigints (what an Erlang or Elixir node sends
-- that a plain Lua string or integer cannot say, README "Distribution"):
-- otp.binary, otp.charlist and otp.bigint make them, otp.atom checks a
-- string can be an atom. Each is one interned value per kind and bytes, so
-- == and table keys work, yet a binary is not the plain string (the atom)
-- of the same text; it prints as its bytes and takes string methods, # and
-- ..; a bigint compares with integers and refuses arithmetic with a clear
-- badarg. They are copied to other processes and across the sandbox wall
-- (both ways) as the same values, and otp.inspect shows their kind.
local expect = require "otp.expect"
local sandbox = otp.sandbox

local b = otp.binary("ok")
expect.eq(b == otp.binary("ok"), true, "the same binary is the same value")
expect.eq(b == "ok", false, "a binary is not the atom ok")
expect.eq(b == otp.charlist("ok"), false, "nor the charlist")
expect.eq(tostring(b), "ok")
expect.eq(#b, 2)
expect.eq(b .. "!", "ok!")
expect.eq("<" .. b, "<ok")
expect.eq(b:upper(), "OK")
expect.eq(("%s-%s"):format(b, b), "ok-ok")
expect.eq(otp.is_binary(b), true)
expect.eq(otp.is_binary("ok"), false)
expect.eq(otp.term_kind(b), "binary")
expect.eq(otp.term_kind(otp.charlist("ok")), "charlist")
expect.eq(otp.term_kind("ok"), nil)
expect.eq(otp.binary(otp.charlist("ok")) == b, true, "a charlist's bytes make the binary")
expect.eq(otp.binary("a") < otp.binary("b"), true, "binaries order by their bytes")
local keys = {[b] = "found"}
expect.eq(keys[otp.binary("ok")], "found", "a binary keys a table")
expect.eq(otp.inspect({b, otp.charlist("hi")}), '{<<"ok">>, otp.charlist("hi")}')

local big = otp.bigint("-123456789012345678901234567890")
expect.eq(tostring(big), "-123456789012345678901234567890")
expect.eq(big == otp.bigint("-123456789012345678901234567890"), true)
expect.eq(big < math.mininteger, true, "a negative bigint is below every integer")
expect.eq(otp.bigint("99999999999999999999") > otp.bigint("11111111111111111111"), true)
expect.eq(otp.bigint("42"), 42, "what fits in 64 bits is a plain integer")
expect.eq(math.type(otp.bigint("-9223372036854775808")), "integer")
expect.eq(otp.term_kind(otp.bigint("9223372036854775808")), "bigint")
expect.eq(otp.inspect(big), "-123456789012345678901234567890")
expect.error(function() return big + 1 end, "badarg")
expect.error(function() otp.bigint("12x") end, "badarg")
expect.error(function() otp.bigint("0123456789012345678901") end, "badarg")
expect.error(function() otp.binary({}) end, "badarg")

expect.eq(otp.atom("ok"), "ok", "an atom is the plain string")
expect.eq(otp.atom(b), "ok")
expect.error(function() otp.atom(string.rep("x", 256)) end, "badarg")
expect.error(function() otp.atom("a\0b") end, "badarg")

-- another process gets the same values
local me = otp.self()
local echo = otp.spawn(function()
  local m = otp.receive()
  otp.send(me, {"echo", m})
end)
local sent = {b, otp.charlist("str"), big, {[b] = big}}
otp.send(echo, sent)
local got = otp.receive(otp.match{"echo"})[2]
expect.eq(got[1] == b and got[2] == otp.charlist("str") and got[3] == big, true,
          "copied to a process as the same values")
expect.eq(got[4][b] == big, true, "as keys and values")

-- and across the sandbox wall, both ways
expect.eq(sandbox.create("kinds", {}), true)
local seen = sandbox.run("kinds", function(v)
  return {v[1] == otp.binary("ok"), tostring(v[2]), otp.term_kind(v[3]),
          otp.binary("made inside"), otp.bigint("-18446744073709551616")}
end, sent)
expect.eq(seen[1], true, "inside, the binary is the binary")
expect.eq(seen[2], "str")
expect.eq(seen[3], "bigint")
expect.eq(seen[4] == otp.binary("made inside"), true, "a binary made inside comes out as one")
expect.eq(seen[5] == otp.bigint("-18446744073709551616"), true)
expect.eq(sandbox.destroy("kinds"), true)
