-- A poison message: the worker crashes on it, and its supervisor restarts it
-- with the same poison waiting in a queue it reads on start, until the
-- supervisor's intensity (2 in 5 s) is used up and it gives up (rule C9).
local expect, sup, gen_server = otp.expect, otp.supervisor, otp.gen_server
otp.trap_exit(true)
local queue = otp.spawn(function()              -- outlives the worker: holds the poison
  while true do
    local m = otp.receive()
    otp.send(m, {"job", "poison"})
  end
end)
local root = sup.start_link{strategy = "one_for_one", intensity = 2, period = 5, children = {
  {id = "worker", start = {gen_server.start_link, {
    init = function() otp.send(queue, otp.self()) return "ok", nil end,
    handle_info = function(m, s)
      if m[2] == "poison" then error("cannot digest " .. m[2]) end
      return "noreply", s
    end,
  }}},
}}
expect.receive(otp.match{"EXIT", root, "shutdown"}, 2000)
expect.eq(#otp.analytics.restart_history(root), 2)
