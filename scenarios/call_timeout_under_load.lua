-- A call timeout under load: five clients call a server that needs 30 ms
-- per request; a sixth caller with a 60 ms timeout is behind them and times
-- out (rule B1), while every loaded client gets its answer.
local expect, gen_server = otp.expect, otp.gen_server
local me = otp.self()
local srv = gen_server.start({
  init = function() return "ok", nil end,
  handle_call = function(req, _, s) otp.sleep(30) return "reply", req * 2, s end,
})
for i = 1, 5 do
  otp.spawn(function() otp.send(me, {"answer", i, gen_server.call(srv, i, 5000)}) end)
end
expect.eventually(function() return otp.process_info(srv, "message_queue_len") >= 4 end)
local ok, err = pcall(gen_server.call, srv, 99, 60)
expect.falsy(ok)
expect.eq(err[2][1], "timeout")
for _ = 1, 5 do
  local a = expect.receive(otp.match{"answer"}, 2000)
  expect.eq(a[3], a[2] * 2)
end
