-- A client calling a server by name while its supervisor restarts it: the
-- name is free for a moment (a call exits noproc, rule B2) and a call in
-- flight when the server dies exits with the server's reason. A client that
-- retries those two cases after a pause gets through under every schedule
-- (otplab explore proves it; tests/explore/racy_call_by_name_during_restart.lua
-- is the version without the retry).
local expect, gen_server, sup = otp.expect, otp.gen_server, otp.supervisor
local counter = {}
function counter.init() return "ok", 0 end
function counter.handle_call(_, _, n) return "reply", n + 1, n + 1 end
otp.trap_exit(true)
local root = sup.start_link{strategy = "one_for_one", intensity = 5, period = 5, children = {
  {id = "counter", start = {gen_server.start_link, counter, nil, {name = "counter"}}},
}}
-- a call that rides out a restart: retried while the server is gone or died under it
local function call_through(req)
  for _ = 1, 50 do
    local ok, res = pcall(gen_server.call, "counter", req, 1000)
    if ok then return res end
    local why = type(res) == "table" and res[2] and res[2][1]
    if why ~= "noproc" and why ~= "killed" then error(res, 0) end
    otp.sleep(10)
  end
  error("the counter did not come back")
end
local client, ref = otp.spawn_monitor(function()
  otp.receive("go")
  for _ = 1, 3 do otp.yield() end
  call_through("next")
end)
local old = otp.whereis("counter")
otp.exit(old, "kill")                      -- the supervisor restarts it...
otp.send(client, "go")                     -- ...while the client calls it by name
expect.restarted(root, "counter", old)
expect.eq(expect.receive(otp.match{"DOWN", ref}, 5000)[5], "normal")
expect.truthy(call_through("next") >= 1)
