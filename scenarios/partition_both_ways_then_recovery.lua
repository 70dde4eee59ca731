-- A partitioned client and server (drop both ways): pings are lost in both
-- directions; when the partition is cleared, traffic flows again in order.
local expect = otp.expect
local me = otp.self()
local server = otp.spawn(function()
  while true do
    local m = otp.receive()
    otp.send(m.from, {"pong", m.n})
  end
end)
local to_server = otp.fault.drop{from = me, to = server}
local to_client = otp.fault.drop{from = server, to = me}
otp.send(server, {from = me, n = 1})
expect.no_message(nil, 50)
to_server.clear()                          -- half healed: replies still vanish
otp.send(server, {from = me, n = 2})
expect.no_message(nil, 50)
to_client.clear()
for n = 3, 5 do otp.send(server, {from = me, n = n}) end
for n = 3, 5 do expect.eq(otp.receive(nil, 1000), {"pong", n}) end
