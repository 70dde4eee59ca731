-- Dynamic supervisor (Elixir's DynamicSupervisor): start_child returns the
-- pid; past max_children it returns nil, "max_children"; a start that
-- says ignore gives nil, "ignore" and leaves nothing; a failed start gives
-- its reason. extra_arguments come first in every start call.
-- which_children lists {id="undefined", pid=, type=, modules=} oldest
-- first; count_children's specs counts the children.
local expect = require "otp.expect"
local ds = otp.dynamic_supervisor
local me = otp.self()

local function start(tag, name, how)
  if how == "ignore" then return nil, "ignore" end
  if how == "fail" then return nil, {"no", name} end
  return otp.spawn_link(function()
    otp.send(me, {"init", tag, name})
    otp.receive({"never"})
  end)
end

local sup = assert(ds.start_link{max_children = 3, extra_arguments = {"extra"}})
local p1 = assert(ds.start_child(sup, {start = {start, "one"}}))
local p2 = assert(ds.start_child(sup, {id = "ignored", start = {start, "two"}, type = "supervisor"}))
expect.eq({ds.start_child(sup, {start = {start, "x", "ignore"}})}, {nil, "ignore"})
expect.eq({ds.start_child(sup, {start = {start, "y", "fail"}})}, {nil, {"no", "y"}})
local p3 = assert(ds.start_child(sup, {start = {start, "three"}, restart = "temporary"}))
expect.eq({ds.start_child(sup, {start = {start, "four"}})}, {nil, "max_children"})
expect.eq({expect.receive(), expect.receive(), expect.receive()},
          {{"init", "extra", "one"}, {"init", "extra", "two"}, {"init", "extra", "three"}})

expect.eq(ds.which_children(sup), {
  {id = "undefined", pid = p1, type = "worker", modules = {}},
  {id = "undefined", pid = p2, type = "supervisor", modules = {}},
  {id = "undefined", pid = p3, type = "worker", modules = {}},
})
expect.eq(ds.count_children(sup), {specs = 3, active = 3, supervisors = 1, workers = 2})

-- room again once a child is gone
expect.eq(ds.terminate_child(sup, p3), true)
expect.truthy(ds.start_child(sup, {start = {start, "four"}}))
expect.eq(expect.receive(), {"init", "extra", "four"})

-- spec errors (Elixir's checks: start, restart, shutdown, type, modules)
expect.eq({ds.start_child(sup, {id = "no start"})}, {nil, {"invalid_child_spec", {id = "no start"}}})
expect.eq({ds.start_child(sup, {start = {start}, restart = "sometimes"})},
          {nil, {"invalid_restart_type", "sometimes"}})
expect.eq({ds.start_child(sup, {start = {start}, shutdown = -5})}, {nil, {"invalid_shutdown", -5}})

-- start_link's own checks
expect.eq({ds.start_link{max_children = -1}}, {nil, {"supervisor_data", {"invalid_max_children", -1}}})
expect.eq({ds.start_link{intensity = "x"}}, {nil, {"supervisor_data", {"invalid_intensity", "x"}}})
expect.eq({ds.start_link{period = 0}}, {nil, {"supervisor_data", {"invalid_period", 0}}})
expect.eq({ds.start_link{strategy = "one_for_all"}}, {nil, {"supervisor_data", {"invalid_strategy", "one_for_all"}}})
expect.eq({ds.start_link{extra_arguments = "x"}}, {nil, {"supervisor_data", {"invalid_extra_arguments", "x"}}})
local named = assert(ds.start_link{name = "pool"})
expect.eq(otp.whereis("pool"), named)
expect.eq({ds.start_link{name = "pool"}}, {nil, {"already_started", named}})
expect.eq(ds.count_children("pool"), {specs = 0, active = 0, supervisors = 0, workers = 0})

-- the module form: init(args) returns "ok", options
local pool = {name = "pool_mod"}
function pool.init(n) return "ok", {max_children = n} end
local s2 = assert(ds.start_link(pool, 1))
expect.truthy(ds.start_child(s2, {start = {start, "p"}}))
expect.eq(expect.receive(), {"init", "p"})
expect.eq({ds.start_child(s2, {start = {start, "q"}})}, {nil, "max_children"})
expect.no_message(nil, 0)
