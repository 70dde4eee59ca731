-- A13: a selective receive skips a queued message by what its first element
-- is (noted once per message) and still takes exactly the first message that
-- matches: equal long strings that are different objects match, strings of
-- the same length that differ do not, a wildcard first element needs a value
-- (false is one), a sub-pattern needs a table there, 1 matches 1.0; and a
-- message a receive function has seen (and kept, and changed) is matched by
-- what it holds now, not by what its first element was.
local expect = require "otp.expect"
local me = otp.self()
local function take(...) return otp.receive(otp.match(...), 0) end

-- a long tag (past Lua's interned strings) built twice: two objects
local long1, long2 = string.rep("t", 50) .. "!", string.rep("t", 50) .. "!"
local queued = {
  {"abcde", 1}, {"abcdf", 2}, "plain", {nil, 3}, {false, 3}, {"x"}, {{"x"}},
  {1.0, "float one"}, {"1", "text one"}, {long1, "long"},
}
for _, m in ipairs(queued) do otp.send(me, m) end

expect.eq(take{"abcdf"}, queued[2], "same length, other bytes: skipped")
expect.eq(take{otp._, 3}, queued[5], "the wildcard needs a value: false is one, nil is not")
expect.eq(take{{"x"}}, queued[7], "a sub-pattern needs a table first")
expect.eq(take{1}, queued[8], "1 matches 1.0")
expect.eq(take{long2}, queued[10], "an equal long string that is another object")
expect.eq(take{"nothing"}, nil)
local left = {}
for m in function() return otp.receive(nil, 0) end do left[#left + 1] = m end
expect.eq(left, {queued[1], "plain", queued[4], queued[6], queued[9]}, "the rest, in order")

-- a message a receive function kept and changed afterwards
otp.send(me, {"old", 1})
expect.eq(take{"zzz"}, nil, "one scan has looked at {old, 1}")
local kept
expect.eq(otp.receive(function(m) kept = m; return false end, 0), nil)
kept[1] = "new"
expect.eq(take{"old"}, nil, "it no longer starts with old")
expect.eq(take{"new"}, kept, "it is matched by what it holds now")
