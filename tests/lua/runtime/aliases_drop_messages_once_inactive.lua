-- Process aliases (OTP 24+): a ref that works as a send destination for its
-- owner until deactivated; afterwards messages to it are dropped silently.
-- gen_server.call relies on this so a late reply never reaches the caller.
local expect = otp.expect
local me = otp.self()

-- a plain alias
local a = otp.alias()
otp.send(a, "via alias")
expect.eq(otp.receive(nil, 1000), "via alias")
expect.eq(otp.unalias(a), true)
expect.eq(otp.unalias(a), false)
otp.send(a, "too late")                       -- dropped, no error
otp.send(me, "marker")
expect.eq(otp.receive(nil, 1000), "marker")   -- "too late" never came first

-- a monitor alias: active while the monitor is
local server = otp.spawn(function()
  while true do
    local req = otp.receive()
    if req == "stop" then return end
    otp.send(req.reply_to, {req.reply_to, "pong"})
  end
end)
local ref = otp.monitor(server, {alias = true})
otp.send(server, {reply_to = ref})
expect.eq(otp.receive(otp.match{ref, "pong"}, 1000), {ref, "pong"})
otp.demonitor(ref, {flush = true})
otp.send(server, {reply_to = ref})           -- the reply goes to an inactive alias
local ref2 = otp.monitor(server)
otp.send(server, "stop")
local down = otp.receive(otp.match{"DOWN", ref2}, 1000)
expect.truthy(down, "the server did not stop")
expect.eq(otp.receive(nil, 0), nil)          -- the late reply was dropped

-- the alias also goes when the DOWN is delivered
local p = otp.spawn(function() otp.receive() end)
local r = otp.monitor(p, {alias = true})
otp.exit(p, "kill")
expect.eq(otp.receive(otp.match{"DOWN", r}, 1000)[5], "killed")
otp.send(r, "after down")
otp.send(me, "marker2")
expect.eq(otp.receive(nil, 1000), "marker2")
