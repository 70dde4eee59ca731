-- Values crossing between the host and a sandbox are copied (API.md 1):
-- mutation after send is not visible on either side; cycles and shared
-- sub-tables survive; pids and refs round-trip as equal values (and as
-- table keys). A closure spawned into a sandbox takes a copy of its table
-- upvalue. Pids are capabilities: inside, otp.pid(text) of a host pid raises
-- badarg, otp.processes() lists only the sandbox's processes, yet a host
-- pid that was given can be sent to. process_info(pid, "sandbox") names the
-- sandbox (nil for host processes).
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()
local SB = "sbx_msgs"

expect.eq(sandbox.create(SB, {}), true)

-- an echo process inside: reports what it got, then sends a table it
-- mutates right after sending
local echo = sandbox.spawn(SB, function(host)
  while true do
    local m = otp.receive()
    if m == "stop" then return end
    local shared = m.shared
    otp.send(host, {"got", m, shared ~= nil and m.a == m.b, m.self == m})
    local out = {n = 1, list = {1, 2, 3}}
    otp.send(host, {"out", out})
    out.n = 999
    out.list[1] = 999
  end
end, me)
expect.eq(otp.process_info(echo, "sandbox"), SB)
expect.eq(otp.process_info(me, "sandbox"), nil, "host processes are in no sandbox")

-- host -> sandbox: a cyclic table with shared parts, a pid and a ref
local ref = otp.make_ref()
local shared = {x = 1}
local msg = {a = shared, b = shared, shared = true, pid = me, ref = ref, [ref] = "by ref",
             f = 1.0, i = 1, bin = "a\0b"}
msg.self = msg
otp.send(echo, msg)
msg.i = 2                     -- mutation after send: not seen inside
shared.x = 2

local got = expect.receive({"got"})
local back = got[2]
expect.eq(back.i, 1, "host mutation after send is not visible inside")
expect.eq(back.a.x, 1)
expect.eq(got[3], true, "shared sub-tables stay shared inside")
expect.eq(got[4], true, "a cycle survives the crossing inside")
expect.truthy(rawequal(back.a, back.b), "and on the way back")
expect.truthy(rawequal(back.self, back), "the cycle survives the way back")
expect.truthy(back.pid == me, "a pid round-trips as an equal value")
expect.truthy(back.ref == ref, "a ref round-trips as an equal value")
expect.eq(back[ref], "by ref", "a ref round-trips as a table key")
expect.eq(math.type(back.f), "float")
expect.eq(math.type(back.i), "integer")
expect.eq(back.bin, "a\0b")
expect.falsy(rawequal(back, msg), "a copy, not the same table")

-- sandbox -> host: the sender's mutation after send is not seen here
local out = expect.receive({"out"})[2]
expect.eq(out, {n = 1, list = {1, 2, 3}}, "sandbox mutation after send is not visible")

-- refs and pids made inside come out and go back in as equal values
local inner_ref, inner_pid = sandbox.run(SB, function()
  local r = otp.make_ref()
  local p = otp.self()
  return r, p
end)
expect.eq(otp.process_info(inner_pid, "sandbox"), nil, "the runner has ended")
local again = sandbox.run(SB, function(r, p, e)
  return {ref = r, pid = p, echo = e, alive = otp.is_alive(e)}
end, inner_ref, inner_pid, echo)
expect.truthy(again.ref == inner_ref)
expect.truthy(again.pid == inner_pid)
expect.truthy(again.echo == echo)
expect.eq(again.alive, true, "a pid given in is usable inside")

-- a closure's table upvalue is copied into the sandbox at spawn time
local box = {n = 1}
local child = otp.spawn_opt(function()
  otp.receive({"go"})
  box.n = box.n + 100
  otp.send(me, {"box", box.n})
end, {sandbox = SB})
box.n = 50                              -- after the spawn: not seen inside
otp.send(child, {"go"})
expect.eq(expect.receive({"box"}), {"box", 101}, "the upvalue was copied at spawn")
expect.eq(box.n, 50, "the sandbox's change is not visible in the host")

-- capabilities: no pid from text, only the sandbox's processes
local inside = sandbox.run(SB, function(host_text, host, e)
  local r = {}
  local ok, err = pcall(otp.pid, host_text)
  r.pid_from_text = ok and "returned" or err
  r.own_from_text = otp.pid(tostring(e)) == e
  r.processes = otp.processes()
  r.sent = pcall(otp.send, host, {"capability", "hello"})
  local okf, errf = pcall(otp.send, host, function() end)
  r.send_function = okf and "returned" or errf
  return r
end, tostring(me), me, echo)
expect.eq(inside.pid_from_text:sub(1, 7), "badarg:", "a host pid cannot be made from text")
expect.eq(inside.own_from_text, true, "a pid of the sandbox itself can")
expect.truthy(#inside.processes >= 2, "the echo and the runner")
for _, p in ipairs(inside.processes) do
  expect.truthy(p ~= me, "the host is not listed inside")
  if otp.is_alive(p) then expect.eq(otp.process_info(p, "sandbox"), SB) end
end
expect.eq(inside.sent, true)
expect.eq(expect.receive({"capability"}), {"capability", "hello"},
          "a host pid that was given is a capability to send")
expect.eq(inside.send_function:sub(1, 7), "badarg:", "functions cannot be sent out")

otp.send(echo, "stop")
expect.eq(sandbox.destroy(SB), true)
expect.dead(echo)
