-- A13: a selective receive with an otp.match pattern (or a pattern table)
-- takes the first message that matches and leaves the others in order,
-- whatever the pattern holds: integer, float and string keys, the wildcard
-- (any present value), a sub-pattern, a pid and a ref, more keys than a
-- scan compiles (9), and a pattern table changed between two receives (each
-- receive reads it afresh). Messages that are not tables never match.
local expect = require "otp.expect"
local me, ref = otp.self(), otp.make_ref()
local queued = {
  "text", 42, true,
  {"job", 1},
  {"job", 2, owner = "a", [1.5] = "f"},
  {"job", 3, owner = "b", meta = {kind = "x", n = 1}},
  {"pid", me}, {"ref", ref},
  {a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 9},
  {a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 10},
  {"last"},
}
for _, m in ipairs(queued) do otp.send(me, m) end

local function take(pattern) return otp.receive(pattern, 0) end
expect.eq(take(otp.match{"job", 3, meta = {kind = "x"}}), queued[6], "a sub-pattern")
expect.eq(take(otp.match{"job", otp._, owner = "a"}), queued[5], "wildcard and a string key")
expect.eq(take(otp.match{[1.5] = "f"}), nil, "taken already: nothing left with that float key")
expect.eq(take(otp.match{"ref", ref}), queued[8], "a ref")
expect.eq(take(otp.match{"pid", me}), queued[7], "a pid")
expect.eq(take(otp.match{a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, i = 10}),
          queued[10], "nine keys")
local p = {"job", 9}
expect.eq(take(p), nil, "no {job, 9}")
p[2] = 1
expect.eq(take(p), queued[4], "the changed pattern table")
expect.eq(take(otp.match{"nothing"}), nil)
-- what is left, in the order it came
local left = {}
while true do
  local m = otp.receive(nil, 0)
  if m == nil then break end
  left[#left + 1] = m
end
expect.eq(left, {"text", 42, true, queued[9], queued[11]})
