-- Misuse of otp.sandbox raises badarg: a non-string or empty name, a
-- non-table options, bad limits (negative, zero, non-integer, non-number),
-- an allow entry other than "io"/"os", a start that is neither a function
-- nor a spec, spawn/run of a non-function, a bad destroy timeout, spawn_opt
-- naming no sandbox or with options a sandbox does not take. Expected
-- failures return nil, reason: a duplicate name is "already_exists";
-- destroy/info/restart of an unknown name "not_found"; a spec whose child
-- fails to start gives start_link's error and leaves no sandbox behind.
-- spawn/run into an unknown sandbox raise noproc. A failed create leaves no
-- sandbox behind.
local expect = require "otp.expect"
local sandbox = otp.sandbox
otp.log_level("none")

local function names()
  local l = sandbox.list()
  table.sort(l)
  return l
end
local before = names()

-- names
expect.error(function() sandbox.create(42, {}) end, "badarg")
expect.error(function() sandbox.create("", {}) end, "badarg")
expect.error(function() sandbox.create(nil) end, "badarg")
expect.error(function() sandbox.create({}, {}) end, "badarg")
-- options
expect.error(function() sandbox.create("sbx_bad", 5) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {max_memory = -1}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {max_memory = 1.5}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {max_memory = 4.0 * 1024 * 1024}) end,
             "badarg", "a float is not an integer, even a whole one")
expect.error(function() sandbox.create("sbx_bad", {max_processes = 0}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {max_processes = -3}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {max_reductions = "lots"}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {allow = {"net"}}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {allow = {"debug"}}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {allow = {"io", "package"}}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {allow = "io"}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {start = 5}) end, "badarg")
expect.error(function() sandbox.create("sbx_bad", {start = "main"}) end, "badarg")
expect.eq(names(), before, "no failed create left a sandbox")

-- duplicate name
expect.eq(sandbox.create("sbx_bad_dup", {max_processes = 5}), true)
expect.eq({sandbox.create("sbx_bad_dup", {})}, {nil, "already_exists"})
expect.eq(sandbox.info("sbx_bad_dup").limits, {max_processes = 5},
          "the duplicate create changed nothing")

-- unknown names
expect.eq({sandbox.destroy("sbx_bad_nope")}, {nil, "not_found"})
expect.eq({sandbox.info("sbx_bad_nope")}, {nil, "not_found"})
expect.eq({sandbox.restart("sbx_bad_nope")}, {nil, "not_found"})
expect.error(function() sandbox.destroy(5) end, "badarg")
expect.error(function() sandbox.info(nil) end, "badarg")
expect.error(function() sandbox.spawn("sbx_bad_nope", function() end) end, "noproc")
expect.error(function() sandbox.run("sbx_bad_nope", function() end) end, "noproc")

-- spawn / run of a non-function
expect.error(function() sandbox.spawn("sbx_bad_dup", 5) end, "badarg")
expect.error(function() sandbox.spawn("sbx_bad_dup", "print(1)") end, "badarg")
expect.error(function() sandbox.run("sbx_bad_dup", 5) end, "badarg")
expect.error(function() sandbox.run("sbx_bad_dup", {}) end, "badarg")
expect.error(function() sandbox.destroy("sbx_bad_dup", -1) end, "badarg")
expect.error(function() sandbox.destroy("sbx_bad_dup", 1.5) end, "badarg")
expect.error(function() otp.spawn_opt(function() end, {sandbox = "sbx_bad_nope"}) end, "badarg")
expect.error(function() otp.spawn_opt(function() end, {sandbox = 7}) end, "badarg")
expect.error(function()
  otp.spawn_opt(function() end, {sandbox = "sbx_bad_dup", trap_exit = true})
end, "badarg")
expect.error(function()
  otp.spawn_opt(function() end, {sandbox = "sbx_bad_dup", name = "x"})
end, "badarg")
expect.eq(sandbox.info("sbx_bad_dup").processes, 0, "nothing was spawned by the bad calls")
expect.eq(sandbox.destroy("sbx_bad_dup"), true)

-- a spec that fails to start: start_link's error term, no sandbox left
local res = {sandbox.create("sbx_bad_start", {start = {children = {
  {id = "c", start = {function() return nil, "nope" end}},
}}})}
expect.eq(res, {nil, {"shutdown", {"failed_to_start_child", "c", "nope"}}})
expect.eq({sandbox.info("sbx_bad_start")}, {nil, "not_found"})
-- a spec that needs more processes than max_processes allows
res = {sandbox.create("sbx_bad_small", {max_processes = 1, start = {children = {
  {id = "c", start = {function() return otp.spawn_link(function() otp.receive() end) end}},
}}})}
expect.eq(res[1], nil, "the keeper and a supervisor do not fit in one process")
expect.truthy(res[2] ~= nil)
expect.eq({sandbox.info("sbx_bad_small")}, {nil, "not_found"})

expect.eq(names(), before, "every sandbox of this scenario is gone")
