-- C17: start_link checks the supervisor's flags, then its child specs, in
-- OTP's order, and answers with OTP's error terms (no child is started, the
-- supervisor process is gone, no EXIT reaches the caller):
--   {"supervisor_data", {"invalid_strategy" | "invalid_intensity" |
--     "invalid_period" | "invalid_auto_shutdown", value}}
--   {"start_spec", {"duplicate_child_name", id}}, {"start_spec", spec_error}
--   module form: init says "ignore" -> nil, "ignore"; returns anything else
--   -> {"bad_return", {module_name, "init", {values}}}
-- Each error also logs a sentence saying what was wrong.
-- The terms were checked against Erlang/OTP 25 (supervisor:start_link with
-- the same flags and specs).
local expect = require "otp.expect"
local supervisor = otp.supervisor
local me = otp.self()
otp.trap_exit(true)

local function start()
  otp.send(me, "a child was started")
  return otp.spawn_link(function() otp.receive({"never"}) end)
end
local function c(id, extra)
  local s = {id = id, start = {start}}
  for k, v in pairs(extra or {}) do s[k] = v end
  return s
end

local cases = {
  {{strategy = "bad"}, {"supervisor_data", {"invalid_strategy", "bad"}}},
  -- otplab's deviation: simple_one_for_one is otp.dynamic_supervisor's job
  {{strategy = "simple_one_for_one"}, {"supervisor_data", {"invalid_strategy", "simple_one_for_one"}}},
  {{intensity = -1}, {"supervisor_data", {"invalid_intensity", -1}}},
  {{intensity = 1.5}, {"supervisor_data", {"invalid_intensity", 1.5}}},
  {{intensity = 1.0}, {"supervisor_data", {"invalid_intensity", 1.0}}},
  {{period = 0}, {"supervisor_data", {"invalid_period", 0}}},
  {{period = 0, auto_shutdown = "bad"}, {"supervisor_data", {"invalid_period", 0}}},
  {{auto_shutdown = "sometimes"}, {"supervisor_data", {"invalid_auto_shutdown", "sometimes"}}},
  {{strategy = "bad", children = {c("a"), c("a")}}, {"supervisor_data", {"invalid_strategy", "bad"}}},
  {{children = {c("a"), c("b"), c("a")}}, {"start_spec", {"duplicate_child_name", "a"}}},
  {{children = {c("a"), {start = {start}}}}, {"start_spec", "missing_id"}},
  {{children = {{id = "a"}}}, {"start_spec", "missing_start"}},
  {{children = {{id = "a", start = start}}}, {"start_spec", {"invalid_mfa", otp._}}},
  -- otplab's deviation: ids are strings, numbers or booleans (OTP: any term)
  {{children = {{id = {"t"}, start = {start}}}}, {"start_spec", {"invalid_child_id", {"t"}}}},
  {{children = {c("a", {restart = "sometimes", type = "bad"})}},
   {"start_spec", {"invalid_restart_type", "sometimes"}}},
  {{children = {c("a", {type = "bad", shutdown = "bad"})}}, {"start_spec", {"invalid_child_type", "bad"}}},
  {{children = {c("a", {shutdown = -1})}}, {"start_spec", {"invalid_shutdown", -1}}},
  {{children = {c("a", {shutdown = "soon", modules = "bad"})}}, {"start_spec", {"invalid_shutdown", "soon"}}},
  {{children = {c("a", {modules = "bad"})}}, {"start_spec", {"invalid_modules", "bad"}}},
  {{children = {c("a", {modules = {"m", 1}})}}, {"start_spec", {"invalid_module", 1}}},
  {{auto_shutdown = "any_significant", children = {c("a", {restart = "transient", significant = "yes"})}},
   {"start_spec", {"invalid_significant", "yes"}}},
  {{children = {"not a table"}}, {"start_spec", {"invalid_child_spec", "not a table"}}},
}
for i, case in ipairs(cases) do
  local sup, reason = supervisor.start_link(case[1])
  expect.eq({sup, reason}, {nil, case[2]}, "case " .. i)
end

-- valid corner cases: shutdown 0, modules "dynamic", no children at all
local ok = assert(supervisor.start_link{children = {c("z", {shutdown = 0, modules = "dynamic"})}})
expect.eq(expect.receive(nil, 1000), "a child was started")
expect.eq(supervisor.get_childspec(ok, "z").modules, "dynamic")
expect.truthy(supervisor.start_link{})

-- the module form
local mod = {name = "my_sup"}
function mod.init(arg)
  if arg == "ignore" then return "ignore" end
  if arg == "junk" then return "ok", 42 end
  if arg == "crash" then error("no way") end
  return "ok", {strategy = "one_for_all", children = {c("m")}}
end
expect.eq({supervisor.start_link(mod, "ignore")}, {nil, "ignore"})
expect.eq({supervisor.start_link(mod, "junk")}, {nil, {"bad_return", {"my_sup", "init", {"ok", 42}}}})
local _, crash = supervisor.start_link(mod, "crash")
expect.eq(crash, {"error", otp._, otp._})
expect.truthy(crash[2]:find("no way", 1, true))
local named = assert(supervisor.start_link(mod, "fine", {name = "my_sup"}))
expect.eq(otp.whereis("my_sup"), named)
expect.eq(expect.receive(nil, 1000), "a child was started")
expect.eq({supervisor.start_link(mod, "fine", {name = "my_sup"})}, {nil, {"already_started", named}})
expect.eq({supervisor.start_link{name = "my_sup"}}, {nil, {"already_started", named}})
expect.eq(otp.process_info(named, "label"), "my_sup")
expect.no_message(nil, 0, "no child started by a bad spec, no EXIT from a failed start")
