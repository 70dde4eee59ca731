-- Registered names are per sandbox: "worker" registered inside sandbox A is
-- not visible from the host nor from sandbox B; B can register its own
-- "worker", and so can the host. Each whereis finds its own; sending to the
-- name reaches the right process; otp.registered() lists only one's own.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local me = otp.self()

local function worker(host, tag)
  otp.register("worker", otp.self())
  otp.send(host, {"registered", tag, otp.self()})
  while true do
    local m = otp.receive()
    otp.send(m[1], {"reply", tag, m[2]})
  end
end

expect.eq(sandbox.create("sbx_names_a", {}), true)
expect.eq(sandbox.create("sbx_names_b", {}), true)

sandbox.spawn("sbx_names_a", worker, me, "a")
local wa = expect.receive({"registered", "a"})[3]
expect.eq(otp.whereis("worker"), nil, "A's name is not visible in the host")
expect.eq(sandbox.run("sbx_names_b", function() return otp.whereis("worker") end), nil,
          "A's name is not visible in B")
expect.error(function() otp.send("worker", "hi") end, "badarg",
             "sending to A's name from the host is a send to an unregistered name")

sandbox.spawn("sbx_names_b", worker, me, "b")
local wb = expect.receive({"registered", "b"})[3]
expect.truthy(wa ~= wb)

local host_worker = otp.spawn(worker, me, "host")
local wh = expect.receive({"registered", "host"})[3]
expect.eq(otp.whereis("worker"), wh, "the host registered its own worker")

expect.eq(sandbox.run("sbx_names_a", function() return otp.whereis("worker") end), wa)
expect.eq(sandbox.run("sbx_names_b", function() return otp.whereis("worker") end), wb)
expect.eq(sandbox.run("sbx_names_a", function() return otp.registered() end), {"worker"})

-- sending to "worker" from inside each reaches that sandbox's worker
expect.eq({sandbox.run("sbx_names_a", function(host)
  otp.send("worker", {otp.self(), "ping"})
  return otp.receive({"reply"}, 1000)
end, me)}, {{"reply", "a", "ping"}})
expect.eq({sandbox.run("sbx_names_b", function()
  otp.send("worker", {otp.self(), "ping"})
  return otp.receive({"reply"}, 1000)
end)}, {{"reply", "b", "ping"}})
otp.send("worker", {me, "ping"})
expect.eq(expect.receive({"reply"}), {"reply", "host", "ping"})

-- destroying A frees only A's name
expect.eq(sandbox.destroy("sbx_names_a"), true)
expect.dead(wa)
expect.eq(otp.whereis("worker"), wh)
expect.eq(sandbox.run("sbx_names_b", function() return otp.whereis("worker") end), wb)
expect.eq(sandbox.destroy("sbx_names_b"), true)
expect.dead(wb)
otp.exit(host_worker, "kill")
