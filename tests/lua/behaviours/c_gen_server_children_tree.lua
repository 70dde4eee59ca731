-- A realistic tree: gen_server workers under a supervisor, started with
-- {module, args...} (module.start_link(args...)) or a function. A crash in
-- a callback restarts the worker; a shutdown runs each trapping worker's
-- terminate("shutdown"), newest first; gen_server.stop on a worker is a
-- normal exit, so a transient worker stays stopped.
local expect = require "otp.expect"
local supervisor, gen_server = otp.supervisor, otp.gen_server
local me = otp.self()
otp.trap_exit(true)

local counter = {name = "counter"}
function counter.start_link(name) return gen_server.start_link(counter, name) end
function counter.init(name)
  otp.trap_exit(true)
  otp.send(me, {"init", name})
  return "ok", {name = name, n = 0}
end
function counter.handle_call(req, _, s)
  if req == "inc" then s.n = s.n + 1; return "reply", s.n, s end
  if req == "crash" then error("crash requested") end
end
function counter.terminate(reason, s) otp.send(me, {"terminate", s.name, reason}) end

local sup = assert(supervisor.start_link{children = {
  {id = "c1", start = {counter, "c1"}},
  {id = "c2", start = {function(n) return gen_server.start_link(counter, n) end, "c2"}},
  {id = "c3", start = {counter, "c3"}, restart = "transient"},
}})
expect.eq({expect.receive(), expect.receive(), expect.receive()},
          {{"init", "c1"}, {"init", "c2"}, {"init", "c3"}})
local kids = supervisor.which_children(sup)
expect.eq(kids[3].modules, {"counter"}, "a local module table: the module's name field")
local c1 = kids[3].pid
expect.eq(gen_server.call(c1, "inc"), 1)
local ok, e = pcall(gen_server.call, c1, "crash")
expect.eq(ok, false)
expect.eq(e[2][1][1], "error")
expect.eq(expect.receive({"terminate"})[2], "c1")
expect.eq(expect.receive(), {"init", "c1"})
local c1b = supervisor.which_children(sup)[3].pid
expect.truthy(c1b ~= c1)
expect.eq(gen_server.call(c1b, "inc"), 1, "a restarted worker starts from init")

expect.eq(gen_server.stop(supervisor.which_children(sup)[1].pid), true)  -- c3
expect.eq(expect.receive(), {"terminate", "c3", "normal"})
expect.eq(supervisor.which_children(sup)[1].pid, "undefined")

otp.exit(sup, "shutdown")
expect.eq({expect.receive(), expect.receive(), expect.receive()},
          {{"terminate", "c2", "shutdown"}, {"terminate", "c1", "shutdown"}, {"EXIT", sup, "shutdown"}})
expect.no_message(nil, 0)
