-- Issue 9, class 2: a sandbox is a wall. Code in sandbox A cannot start
-- code in sandbox B (whose allow = {"io"} would give it host files, B's
-- names and none of A's limits); spawning into its own sandbox still works.
local expect = require "otp.expect"
local sandbox = otp.sandbox
sandbox.create("a", {max_processes = 10})
sandbox.create("b", {allow = {"io"}})

local ok, err = sandbox.run("a", function()
  return pcall(otp.spawn_opt, function() return io end, {sandbox = "b"})
end)
expect.eq(ok, false, "the spawn into b was refused")
expect.truthy(tostring(err):find("badarg: code in sandbox 'a' can only spawn into its own sandbox",
                                 1, true), err)
expect.eq(sandbox.info("b").processes, 0, "nothing started in b")

-- into itself: an ordinary spawn, under a's own limits
local pid_ok = sandbox.run("a", function()
  local me = otp.self()
  local pid = otp.spawn_opt(function() otp.send(me, "hi") end, {sandbox = "a"})
  return otp.receive(nil, 1000) == "hi" and pid ~= nil
end)
expect.eq(pid_ok, true)

-- and the host may still spawn into either
local pid = otp.spawn_opt(function() otp.receive() end, {sandbox = "b"})
expect.eq(otp.process_info(pid, "sandbox"), "b")
sandbox.destroy("a")
sandbox.destroy("b")
