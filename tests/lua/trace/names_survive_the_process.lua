-- Event tables are built when read; a process's registered name and label
-- must still show in its events after the process is gone.
local expect = otp.expect
local me = otp.self()
local session = otp.trace.start{kinds = {"send"}}
local p = otp.spawn(function()
  otp.set_label("messenger")
  otp.register("courier", otp.self())
  otp.send(me, "hello")
end)
local ref = otp.monitor(p)
expect.eq(otp.receive("hello", 1000), "hello")
expect.truthy(otp.receive(otp.match{"DOWN", ref}, 1000), "the messenger should have exited")
session:stop()
local ev = session:events()[1]
expect.eq(ev.pid, p)
expect.eq(ev.pid_label, "messenger")
expect.eq(ev.pid_name, "courier")
