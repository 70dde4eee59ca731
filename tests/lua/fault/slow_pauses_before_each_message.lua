-- otp.fault.slow(pid, ms): the process pauses ms before taking each message
-- (OTP's inject_delay), traced as fault_slow; messages keep their order and
-- a caller with a shorter timeout gives up (rule B1); clear() ends it.
local expect, gen_server = otp.expect, otp.gen_server
local session = otp.trace.start{pids = "all", kinds = {"fault_slow"}}
local srv = gen_server.start({
  init = function() return "ok", {} end,
  handle_call = function(req, _, seen)
    if req == "seen" then return "reply", seen, seen end
    seen[#seen + 1] = req
    return "reply", #seen, seen
  end,
  handle_cast = function(req, seen) seen[#seen + 1] = req return "noreply", seen end,
})
local rule = otp.fault.slow(srv, 150)
local t0 = otp.monotonic_time()
expect.eq(gen_server.call(srv, "one", 5000), 1)
expect.truthy(otp.monotonic_time() - t0 >= 150, "the call came back before the 150 ms pause")
-- a caller that waits less than the pause times out (B1), the server lives on
local ok, err = pcall(gen_server.call, srv, "two", 50)
expect.falsy(ok)
expect.eq(err[2][1], "timeout")
expect.alive(srv)
gen_server.cast(srv, "three")
gen_server.cast(srv, "four")
expect.eq(gen_server.call(srv, "seen", 5000), {"one", "two", "three", "four"})
expect.truthy(#session:events() >= 5)
expect.eq(session:events()[1].pid, srv)
expect.eq(rule.clear(), true)
local before = #session:events()
expect.eq(#gen_server.call(srv, "seen", 5000), 4)
expect.eq(#session:events(), before)     -- no pause after clear

-- a plain process in receive() (the hand-off path) pauses too
local me = otp.self()
local p = otp.spawn(function() otp.send(me, {"echo", otp.receive()}) end)
otp.fault.slow(p, 100)
otp.send(p, "hi")
expect.eq(expect.receive(otp.match{"echo"}, 5000)[2], "hi")
expect.eq(session:events()[#session:events()].pid, p)
otp.fault.clear()

expect.error(function() otp.fault.slow(srv, -1) end, "badarg: otp.fault.slow")
expect.error(function() otp.fault.slow(srv, 1.5) end, "badarg:")
expect.error(function() otp.fault.slow("nobody", 10) end, "badarg:")
