-- Proves: pids print as <0.N.0> and refs as #Ref<...> (API.md section 1);
-- otp.pid(tostring(p)) == p for a live and for a dead process, and the parsed
-- pid works as the same table key; a process's own otp.self() is the pid its
-- spawner got; refs are unique.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local me = otp.self()

local function await(match, what)
  local m = otp.receive(match, 2000)
  assert(m, "timed out waiting for " .. what)
  return m
end

check(tostring(me):match("^<0%.%d+%.0>$") ~= nil, "self prints as " .. tostring(me) .. ", not <0.N.0>")

-- A live process: printed, parsed back, same value and same key.
local live = otp.spawn(function(parent)
  otp.send(parent, { "i_am", otp.self() })
  otp.receive(function(m) return m == "stop" end, 5000)
end, me)
local text = tostring(live)
check(text:match("^<0%.%d+%.0>$") ~= nil, "a pid prints as " .. text .. ", not <0.N.0>")
check(text ~= tostring(me), "two processes print the same pid")
check(live ~= me, "two different processes compare equal")
local said = await(function(m) return type(m) == "table" and m[1] == "i_am" end, "the child's self()")
check(said[2] == live, "otp.self() in the child is not == the pid spawn returned")
local parsed = otp.pid(text)
check(parsed == live, "otp.pid(tostring(p)) ~= p for a live process")
check(tostring(parsed) == text, "a parsed pid prints differently")
local keyed = { [live] = "value" }
check(keyed[parsed] == "value", "a parsed pid is not the same table key as the original")
check(otp.pid(tostring(me)) == me, "otp.pid(tostring(self())) ~= self()")

-- A dead process: its pid still parses to an equal value.
local ref = otp.monitor(live)
otp.send(live, "stop")
await(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, "the DOWN of the child")
check(not otp.is_alive(live), "the child is still alive after its DOWN")
local parsed_dead = otp.pid(text)
check(parsed_dead == live, "otp.pid(tostring(p)) ~= p for a dead process")
check(keyed[parsed_dead] == "value", "a parsed dead pid is not the same table key as the original")
check(otp.is_alive(parsed_dead) == false, "is_alive of a parsed dead pid is not false")

-- A string that is not a pid is a bad argument.
local ok, err = pcall(otp.pid, "not a pid")
check(not ok and tostring(err):find("badarg", 1, true), "otp.pid('not a pid') did not raise badarg: " .. tostring(err))

-- Refs: print form and uniqueness.
local r = otp.make_ref()
check(tostring(r):match("^#Ref<.+>$") ~= nil, "a ref prints as " .. tostring(r) .. ", not #Ref<...>")
check(r == r and r ~= otp.make_ref(), "refs do not compare as values")
local seen, printed, n = {}, {}, 1000
for _ = 1, n do
  local x = otp.make_ref()
  seen[x] = true
  printed[tostring(x)] = true
end
local keys, texts = 0, 0
for _ in pairs(seen) do keys = keys + 1 end
for _ in pairs(printed) do texts = texts + 1 end
check(keys == n, "make_ref returned duplicate refs: " .. keys .. " distinct keys of " .. n)
check(texts == n, "make_ref printed duplicates: " .. texts .. " distinct strings of " .. n)

-- Refs made by different processes are distinct too.
otp.spawn(function(parent) otp.send(parent, { "ref", otp.make_ref() }) end, me)
local other = await(function(m) return type(m) == "table" and m[1] == "ref" end, "a ref from another process")[2]
check(not seen[other] and other ~= r, "a ref made in another process equals one made here")

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
