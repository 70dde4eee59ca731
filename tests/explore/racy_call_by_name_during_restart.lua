-- A race, for otplab explore: a client calls a server by name while the
-- server's supervisor restarts it. Between the old server's death and the
-- new one's register the name is free, so a call then exits noproc (rule
-- B2), and a call in flight when the server dies exits with its reason.
-- Whether the client sees either depends on the interleaving. The fixed
-- version is scenarios/call_by_name_retries_through_a_restart.lua.
local expect, gen_server, sup = otp.expect, otp.gen_server, otp.supervisor
local counter = {}
function counter.init() return "ok", 0 end
function counter.handle_call(_, _, n) return "reply", n + 1, n + 1 end
otp.trap_exit(true)
local root = sup.start_link{strategy = "one_for_one", intensity = 5, period = 5, children = {
  {id = "counter", start = {gen_server.start_link, counter, nil, {name = "counter"}}},
}}
local client, ref = otp.spawn_monitor(function()
  otp.receive("go")
  for _ = 1, 3 do otp.yield() end          -- a little work first: usually enough
  gen_server.call("counter", "next")
end)
local old = otp.whereis("counter")
otp.exit(old, "kill")                      -- the supervisor restarts it...
otp.send(client, "go")                     -- ...while the client calls it by name
expect.restarted(root, "counter", old)
expect.eq(expect.receive(otp.match{"DOWN", ref}, 5000)[5], "normal")
