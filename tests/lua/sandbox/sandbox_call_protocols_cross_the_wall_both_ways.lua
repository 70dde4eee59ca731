-- Every call protocol works across the sandbox wall, in both directions:
-- gen_server, supervisor, dynamic supervisor and sys, from the host to
-- servers inside a sandbox and from a sandboxed process to host servers.
-- The caller's pid and alias cross as a pid and an alias (not as foreign
-- userdata), so the server can answer.
local expect = require "otp.expect"
local sandbox = otp.sandbox
local SB = "wall"

-- What one side does to the servers of the other; runs in the host and, as
-- a copy, inside the sandbox. Returns what it saw, for the host to check.
local function exercise(servers)
  local gs, sup, dsup = servers.gen_server, servers.supervisor, servers.dynamic
  local seen = {}
  seen.call = otp.gen_server.call(gs, "get")
  otp.gen_server.cast(gs, {"add", 5})
  seen.after_cast = otp.gen_server.call(gs, "get")
  seen.state = otp.sys.get_state(gs)
  seen.status = otp.sys.get_status(gs).status
  seen.suspend = otp.sys.suspend(gs)
  seen.suspended = otp.sys.get_status(gs).status
  seen.resume = otp.sys.resume(gs)
  seen.replaced = otp.sys.replace_state(gs, function(n) return n * 2 end)

  local kids = otp.supervisor.which_children(sup)
  seen.which = {#kids, kids[1].id}
  seen.count = otp.supervisor.count_children(sup)
  local extra = otp.supervisor.start_child(sup, {id = "extra",
    start = {function() return otp.spawn_link(otp.receive) end}})
  seen.started = type(extra)
  seen.terminated = otp.supervisor.terminate_child(sup, "extra")
  seen.restarted = otp.supervisor.restart_child(sup, "extra")
  seen.spec_id = otp.supervisor.get_childspec(sup, "extra").id
  otp.supervisor.terminate_child(sup, "extra")
  seen.deleted = otp.supervisor.delete_child(sup, "extra")
  seen.sup_status = otp.sys.get_status(sup).module

  local d = otp.dynamic_supervisor.start_child(dsup,
    {id = "d", start = {function() return otp.spawn_link(otp.receive) end}})
  seen.dyn_started = type(d)
  seen.dyn_count = otp.dynamic_supervisor.count_children(dsup).active
  seen.dyn_which = #otp.dynamic_supervisor.which_children(dsup)
  seen.dyn_terminated = otp.dynamic_supervisor.terminate_child(dsup, d)
  return seen
end

-- The servers one side starts for the other (in the host, or in the sandbox).
local function start_servers()
  local counter = {}
  function counter.init(n) return "ok", n end
  function counter.handle_call(_, _, n) return "reply", n, n end
  function counter.handle_cast(msg, n) return "noreply", n + msg[2] end
  local gs = assert(otp.gen_server.start(counter, 10))
  local sup = assert(otp.supervisor.start_link{strategy = "one_for_one", children = {
    {id = "w", start = {function() return otp.spawn_link(otp.receive) end}}}})
  local dsup = assert(otp.dynamic_supervisor.start_link{})
  otp.unlink(sup)
  otp.unlink(dsup)
  return {gen_server = gs, supervisor = sup, dynamic = dsup}
end

local function check(seen, where)
  expect.eq(seen, {
    call = 10, after_cast = 15, state = 15, status = "running", suspend = true,
    suspended = "suspended", resume = true, replaced = 30,
    which = {1, "w"}, count = {specs = 1, active = 1, supervisors = 0, workers = 1},
    started = "userdata", terminated = true, restarted = true, spec_id = "extra",
    deleted = true, sup_status = "supervisor",
    dyn_started = "userdata", dyn_count = 1, dyn_which = 1, dyn_terminated = true,
  }, where)
end

expect.eq(sandbox.create(SB, {}), true)

-- 1. host -> servers inside the sandbox
local inside = sandbox.run(SB, start_servers)
expect.eq(otp.process_info(inside.supervisor, "sandbox"), SB)
check(exercise(inside), "host calling into the sandbox")

-- 2. sandboxed process -> servers in the host
local outside = start_servers()
local seen = sandbox.run(SB, exercise, outside)
expect.truthy(seen, "the sandboxed caller finished")
check(seen, "the sandbox calling out to the host")

expect.eq(sandbox.destroy(SB), true)
