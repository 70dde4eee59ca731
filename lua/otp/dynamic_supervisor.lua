-- otp.dynamic_supervisor: Elixir's DynamicSupervisor (API.md section 3).
--
--   local sup = otp.dynamic_supervisor.start_link{max_children = 100}
--   local pid = otp.dynamic_supervisor.start_child(sup, {start = {worker, 42}})
--
-- start_link{max_children=, intensity=, period=, name=, extra_arguments=}
--   -> pid | nil, reason. Defaults: max_children "infinity", intensity 3,
--   period 5 (Elixir's). The strategy is always one_for_one. Errors are
--   {"supervisor_data", {"invalid_intensity", v}} and the like.
-- start_link(module, args[, opts]): module.init(args) returns "ok", opts.
-- start_child(sup, spec) -> pid | nil, reason: "max_children" when full,
--   "ignore" when the start function said so, the start function's reason,
--   or a spec error. spec is a child spec (supervisor.lua) whose id may be
--   left out: dynamic children have none. extra_arguments come first in
--   every start call.
-- terminate_child(sup, pid) -> true | nil, "not_found" (a pid that is not,
--   or no longer, a child of sup).
-- which_children(sup) -> {id="undefined", pid=pid|"restarting", type=,
--   modules=} for every child, oldest first (a restarted child is new).
-- count_children(sup) -> {specs=, active=, supervisors=, workers=}; specs
--   counts the children.
--
-- Restarts follow the child's restart type and count against intensity in
-- period seconds, as in a supervisor. When the dynamic supervisor stops
-- (its parent exits, intensity is exceeded, sys.terminate), every child is
-- asked to stop AT ONCE (exit shutdown, or kill for brutal_kill) and one
-- timer per shutdown value kills the ones still alive when it fires (C13).
--
-- The decisions are made in C (runtime/otp/dynsup.c); the process is the
-- one of otp.supervisor, with the protocol of Elixir's DynamicSupervisor:
-- requests "which_children", "count_children", {"start_child", spec},
-- {"terminate_child", pid}; failed restarts are retried with a
-- {"$gen_restart", old_pid} message to itself.

local otp = require "otp"
local private = require("otp.supervisor")._private

local dynamic_supervisor = {}

local call, ok_or_error = private.call, private.ok_or_error

function dynamic_supervisor.start_link(a, b, c)
  return private.start("dynamic_supervisor", "new_dynamic", "dynamic_supervisor.start_link",
                       a, b, c)
end

function dynamic_supervisor.start_child(sup, spec)
  private.check_child(spec, "dynamic_supervisor.start_child's child spec", 2)
  local r = call(sup, {"start_child", spec}, "dynamic_supervisor.start_child")
  if type(r) == "table" and r[1] == "ok" then return r[2] end
  if r == "ignore" then return nil, "ignore" end
  return ok_or_error(r)
end

function dynamic_supervisor.terminate_child(sup, pid)
  return ok_or_error(call(sup, {"terminate_child", pid}, "dynamic_supervisor.terminate_child"))
end

function dynamic_supervisor.which_children(sup)
  return call(sup, "which_children", "dynamic_supervisor.which_children")
end

function dynamic_supervisor.count_children(sup)
  return call(sup, "count_children", "dynamic_supervisor.count_children")
end

return dynamic_supervisor
