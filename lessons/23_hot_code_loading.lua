-- Lesson 23: Hot code loading
-- load a new version and a running server's next call runs it on its old state; code_change migrates state.
local lesson, expect = otp.lesson, otp.expect
local gen_server, sys, code = otp.gen_server, otp.sys, otp.code
lesson.title("Hot code loading")

local function version(v, step)
  return ([[
local M = {vsn = "%d"}
function M.init() return "ok", 0 end
function M.handle_call(_, _, n) return "reply", {vsn = %d, count = n + %d}, n + %d end
function M.code_change(old_vsn, n, extra) return "ok", {count = n} end
return M]]):format(v, v, step, step)
end

assert(code.load("lesson_counter", version(1, 1)))
local server = assert(gen_server.start_link(require("lesson_counter"), nil, {name = "counter"}))

lesson.step("Version 1 runs", function()
  expect.eq(gen_server.call("counter", "next"), {vsn = 1, count = 1})
  expect.eq(gen_server.call("counter", "next"), {vsn = 1, count = 2})
  lesson.show(code.versions("lesson_counter"))
  return {counter = server}
end)

lesson.step("Load version 2: the very next call runs it, on the same state", function()
  assert(code.load("lesson_counter", version(2, 10)))
  local r = gen_server.call("counter", "next")
  expect.eq(r, {vsn = 2, count = 12})
  lesson.show(r)
  lesson.say("No restart: the server calls its module by name, as Erlang's Mod:handle_call,")
  lesson.say("so it went from 2 to 12 with version 2's step of 10.")
end)

lesson.step("rollback: the previous version is current again", function()
  expect.eq({code.rollback("lesson_counter")}, {true, "1"})
  expect.eq(gen_server.call("counter", "next"), {vsn = 1, count = 13})
  lesson.say("The next call ran version 1 again, on the same count. rollback is otplab's:")
  lesson.say("Erlang keeps one old version (until it is purged) and has no rollback call.")
end)

local v3
lesson.step("A new state shape: suspend, change_code, resume", function()
  v3 = [[
local M = {vsn = "3"}
function M.init() return "ok", {count = 0} end
function M.handle_call(_, _, s) s.count = s.count + 1; return "reply", {vsn = 3, count = s.count}, s end
function M.code_change(old_vsn, n) return "ok", {count = n} end
return M]]
  sys.suspend("counter")
  assert(code.load("lesson_counter", v3))
  expect.eq({sys.change_code("counter", "lesson_counter", "1", nil)}, {true})
  sys.resume("counter")
  expect.eq(sys.get_state("counter"), {count = 13})
  expect.eq(gen_server.call("counter", "next"), {vsn = 3, count = 14})
  lesson.say("code_change turned the number 13 into {count = 13} while the server was")
  lesson.say("suspended, so no call ever saw version 3's code with version 1's state.")
  return {v3 = v3}
end)

-- The exercise: the learner loads version 4; check() makes one call.
local function current_vsn()
  for _, v in ipairs(code.versions("lesson_counter")) do if v.current then return otp.inspect(v.vsn) end end
  return "none"
end
local function v4_check()
  if otp.whereis("counter") ~= server then return false, "counter is no longer " .. tostring(server) end
  local before = sys.get_state("counter")
  local ok, r = pcall(gen_server.call, "counter", "next")
  if not ok then return false, "counter's next call failed: " .. otp.inspect(r[2]) end
  if type(r) ~= "table" or r.vsn ~= 4 then
    return false, "the call answered " .. otp.inspect(r) .. ": the current version of lesson_counter " ..
      "is " .. current_vsn() .. ", load one whose reply says vsn = 4"
  end
  if type(before) ~= "table" or r.count ~= before.count + 1 then
    return false, "version 4 answered " .. otp.inspect(r) .. " on the state " .. otp.inspect(before) ..
      ": it should go on counting, count + 1"
  end
  return true
end
lesson.expose{code = code}
lesson.exercise("load version 4 of \"lesson_counter\": the same state {count = n}, a reply " ..
  "{vsn = 4, count = n + 1} (v3 holds version 3's source: code.load(\"lesson_counter\", your_source))",
  v4_check,
  function() assert(code.load("lesson_counter", (v3:gsub("vsn = 3", "vsn = 4"):gsub('"3"', '"4"')))) end)

lesson.finish{try = "otp.code.load(\"lesson_counter\", (v3:gsub(\"vsn = 3\", \"vsn = 5\"))); pp(otp.gen_server.call(\"counter\", \"next\"))",
              next = "A sandbox as a lab bench"}
