-- sys.change_code(server, module, old_vsn, extra) calls code_change(old_vsn,
-- state, extra) and keeps the new state; only while suspended, as in OTP
-- (otherwise nil, {"unknown_system_msg", ...}). module nil keeps the
-- callback table the server runs; a module name loads it with require.
-- A refusal is nil and the values code_change returned (OTP's {error, Else}).
local expect = require "otp.expect"
local gen_server = otp.gen_server
local sys = otp.sys

local mod = {}
function mod.init() return "ok", {v = 1} end
function mod.handle_call(req, from, s) return "reply", s, s end
function mod.code_change(old_vsn, s, extra)
  if extra == "refuse" then return "error", "not today" end
  if extra == "crash" then error("code_change crashed", 0) end
  return "ok", {v = 2, from = old_vsn, extra = extra}
end

local server = assert(gen_server.start_link(mod))
expect.eq({sys.change_code(server, nil, "1", "x")},
          {nil, {"unknown_system_msg", {"change_code", nil, "1", "x"}}})
sys.suspend(server)
expect.eq({sys.change_code(server, nil, "1", "refuse")}, {nil, {"error", "not today"}})
expect.eq({sys.change_code(server, nil, "1", "crash")},
          {nil, {"EXIT", {"error", "code_change crashed", otp._}}})
expect.eq(sys.get_state(server), {v = 1}, "unchanged by the failures")
expect.eq({sys.change_code(server, nil, "1", "x")}, {true})
expect.eq(select(1, sys.change_code(server, "otp.no_such_module", "1", "x")), nil)
sys.resume(server)
expect.eq(gen_server.call(server, "get"), {v = 2, from = "1", extra = "x"})
gen_server.stop(server)
