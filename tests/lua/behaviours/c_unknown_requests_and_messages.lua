-- As OTP's supervisor: an unknown call or cast is a crash of the
-- supervisor (function_clause in Erlang): it stops its children, newest
-- first, and exits with that reason (a caller waiting for the reply exits
-- with it). An unexpected plain message is logged and ignored. A call to a
-- dead supervisor exits {"noproc", {"gen_server", "call", ...}}.
-- Checked against Erlang/OTP 25: gen_server:call(Sup, foo) ->
-- {function_clause, [{supervisor, handle_call, ...}]}; Sup ! hello: alive.
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
otp.trap_exit(true)

local function start(name)
  return otp.spawn_link(function()
    otp.trap_exit(true)
    otp.send(me, {"init", name})
    local m = otp.receive({"EXIT"})
    otp.send(me, {"stop", name, m[3]})
    otp.exit(m[3])
  end)
end

local function new_sup()
  local sup = assert(supervisor.start_link{children = {
    {id = "a", start = {start, "a"}}, {id = "b", start = {start, "b"}},
  }})
  expect.receive({"init", "a"})
  expect.receive({"init", "b"})
  return sup
end

-- a plain message: ignored
local sup = new_sup()
otp.send(sup, "hello")
expect.eq(supervisor.count_children(sup).active, 2)

-- an unknown call
local ok, e = pcall(otp.gen_server.call, sup, "what?")
expect.eq(ok, false)
local reason = {"function_clause", {"supervisor", "handle_call", {"what?", otp._}}}
expect.eq(e, {"EXIT", {reason, {"gen_server", "call", {sup, "what?"}}}})
expect.eq({expect.receive(), expect.receive(), expect.receive()},
          {{"stop", "b", "shutdown"}, {"stop", "a", "shutdown"}, {"EXIT", sup, reason}})

-- an unknown cast
local sup2 = new_sup()
otp.gen_server.cast(sup2, "hmm")
expect.eq({expect.receive(), expect.receive(), expect.receive()},
          {{"stop", "b", "shutdown"}, {"stop", "a", "shutdown"},
           {"EXIT", sup2, {"function_clause", {"supervisor", "handle_cast", {"hmm"}}}}})

-- calls to a dead supervisor
local ok2, e2 = pcall(supervisor.which_children, sup2)
expect.eq({ok2, e2}, {false, {"EXIT", {"noproc", {"gen_server", "call", {sup2, "which_children", "infinity"}}}}})
local ok3, e3 = pcall(supervisor.count_children, "nobody")
expect.eq({ok3, e3}, {false, {"EXIT", {"noproc", {"gen_server", "call", {"nobody", "count_children", "infinity"}}}}})
expect.error(function() supervisor.which_children(42) end, "badarg")
expect.no_message(nil, 0)
