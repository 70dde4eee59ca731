-- A dropped reply (fault.drop) makes a gen_server call time out: the caller
-- exits {"timeout", ...} (rule B1) while the server lives on; once the rule
-- is cleared the same call works.
local expect, gen_server = otp.expect, otp.gen_server
local me = otp.self()
local srv = gen_server.start({
  init = function() return "ok", 0 end,
  handle_call = function(_, _, n) return "reply", n + 1, n + 1 end,
})
local rule = otp.fault.drop{from = srv, to = me}
local ok, err = pcall(gen_server.call, srv, "bump", 100)
expect.falsy(ok)
expect.eq(err[2][1], "timeout")
expect.alive(srv)
rule.clear()
expect.eq(gen_server.call(srv, "bump", 100), 2)     -- the server did handle the first
