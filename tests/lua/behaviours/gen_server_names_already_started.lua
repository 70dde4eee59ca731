-- Names: start with opts.name registers the server (before init runs, as
-- OTP does); a taken name gives nil, {"already_started", pid} without
-- running init, without an EXIT to the caller; the name is freed when the
-- server exits, and can then be used again.
local expect = require "otp.expect"
local gen_server = otp.gen_server
local main = otp.self()

local mod = {}
function mod.init(tag)
  otp.send(main, {"init", tag, otp.whereis("db")})
  return "ok", tag
end
function mod.handle_call(req, from, tag) return "reply", tag, tag end

local first = assert(gen_server.start_link(mod, "first", {name = "db"}))
expect.eq(expect.receive({"init"}), {"init", "first", first}, "registered before init")
expect.eq(otp.whereis("db"), first)
expect.eq(otp.process_info(first, "registered_name"), "db")
expect.eq(otp.process_info(first, "label"), "db")

-- taken: both start and start_link, trapping or not
for _, starter in ipairs({gen_server.start, gen_server.start_link}) do
  for _, trap in ipairs({false, true}) do
    otp.trap_exit(trap)
    local pid, reason = starter(mod, "second", {name = "db"})
    expect.eq({pid, reason}, {nil, {"already_started", first}})
    expect.eq(otp.process_info(main, "messages"), {}, "no init, no EXIT")
    expect.eq(otp.process_info(main, "links"), {first})
    otp.trap_exit(false)
  end
end
expect.eq(gen_server.call("db", "who"), "first")

-- a taken name held by a plain process counts too
local plain = otp.spawn(function() otp.receive() end)
otp.register("plain", plain)
expect.eq({gen_server.start(mod, "x", {name = "plain"})}, {nil, {"already_started", plain}})

-- freed on exit, reusable
expect.eq(gen_server.stop("db"), true)
expect.eq(otp.whereis("db"), nil)
local again = assert(gen_server.start(mod, "again", {name = "db"}))
expect.eq(expect.receive({"init"}), {"init", "again", again})
expect.eq(gen_server.call("db", "who"), "again")
gen_server.stop(again)

-- misuse is a badarg error, not a start failure
expect.error(function() gen_server.start(mod, nil, {name = 42}) end, "badarg")
expect.error(function() gen_server.start("not a module") end, "badarg")
