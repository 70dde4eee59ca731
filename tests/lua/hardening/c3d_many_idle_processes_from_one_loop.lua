-- C3d: many idle processes spawned from one loop all stay alive (the spawning
-- loop is never taken for a stuck call) and all end when let go.
-- 100,000 here so the ASan build stays quick; 1,000,000 is measured by hand.
local expect = otp.expect
local N = 100000
local pids = {}
local idle = function() otp.receive() end
for i = 1, N do pids[i] = otp.spawn(idle) end
local alive = 0
for i = 1, N do if otp.is_alive(pids[i]) then alive = alive + 1 end end
expect.eq(alive, N)
local last = otp.monitor(pids[N])
for i = 1, N do otp.send(pids[i], "go") end
expect.eq(otp.receive(otp.match{"DOWN", last}, 60000)[5], "normal")
