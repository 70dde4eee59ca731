-- Proves: spawn copies a function whose binary dump is larger than the
-- copier's small buffer (2 KB) with its upvalue, and the copy computes what
-- the original does (DESIGN.md "Share nothing": a closure is cloned).
local parts = {"local up = ...\nreturn function() local s = up\n"}
for i = 1, 400 do parts[#parts + 1] = ("s = s + %d\n"):format(i) end
parts[#parts + 1] = "return s end\n"
local f = assert(load(table.concat(parts)))(1000)
assert(#string.dump(f) > 4096, "the function's dump is only " .. #string.dump(f) .. " bytes")
local me = otp.self()
otp.spawn(function(g) otp.send(me, g()) end, f)
local v = otp.receive(nil, 2000)
assert(v == 1000 + 400 * 401 // 2, "the copied function computed " .. tostring(v))
