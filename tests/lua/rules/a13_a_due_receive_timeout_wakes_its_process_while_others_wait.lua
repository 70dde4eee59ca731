-- A13/A14: a receive timeout (`after 0`, or one already due when the node
-- next looks at its clock) wakes its process at once, even while another
-- process waits with a far-off timeout. A worker that sleeps 0 ms 300 times
-- must finish long before the main process's 30 s timeout: if a due timer
-- only woke its process when the next timer fired, each of the worker's
-- sleeps would wait for that 30 s timeout and "done" could never arrive in
-- time.
local expect = otp.expect
local me = otp.self()
otp.spawn(function()
  for _ = 1, 300 do otp.sleep(0) end
  for _ = 1, 300 do otp.receive(function() return false end, 0) end
  otp.send(me, "done")
end)
otp.spawn_link(function() otp.sleep(60000) end)   -- a far-off timer of someone else
expect.eq(otp.receive("done", 30000), "done", "every 0 ms wait of the worker ended at once")
