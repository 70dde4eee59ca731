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
end)

lesson.step("A new state shape: suspend, change_code, resume", function()
  local v3 = [[
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
end)

lesson.finish{try = "otp.code.load(\"lesson_counter\", ...) a version of your own",
              next = "A sandbox as a lab bench"}
