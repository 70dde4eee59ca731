-- A call's request crosses as a copy inside {"$gen_call", {caller, alias},
-- request}: the server sees {caller, alias} as `from` and never the
-- caller's later changes; a request that cannot be sent (a function in it)
-- is badarg naming where it is, the server gets nothing and the caller is
-- left with no monitor (no stray DOWN later); a destination
-- that is no pid nor name is badarg too. A call to a dead pid exits noproc.
-- The reply crosses as a copy too: a reply that cannot be sent crashes the
-- server with a badarg naming msg[2], and gen_server.reply to a name that
-- nobody holds is badarg, as otp.send is.
local expect = require "otp.expect"
local gen_server = otp.gen_server

local kept = {}
function kept.init() return "ok", nil end
function kept.handle_call(req, from, s)
  if req == "get" then return "reply", s, s end
  if req == "from" then return "reply", {from[1], type(from[2])}, s end
  return "reply", "stored", req
end

local server = assert(gen_server.start(kept, nil))
local req = {list = {1, 2}, name = "first"}
expect.eq(gen_server.call(server, req), "stored")
req.name = "changed"
req.list[1] = 99
expect.eq(gen_server.call(server, "get"), {list = {1, 2}, name = "first"})
expect.eq(gen_server.call(server, "from"), {otp.self(), "userdata"})

local ok, err = pcall(gen_server.call, server, {f = function() end})
expect.eq(ok, false)
expect.eq(type(err), "string")
expect.truthy(err:find("^badarg: a function cannot be sent between processes %(at msg%[3%]%.f%)"), err)
expect.eq(otp.process_info(server, "messages"), {})
expect.eq(gen_server.call(server, "get"), {list = {1, 2}, name = "first"})

local ok2, err2 = pcall(gen_server.call, otp.make_ref(), "x")
expect.eq(ok2, false)
expect.truthy(type(err2) == "string" and err2:find("^badarg: otp.monitor needs a pid"), err2)

local ref = otp.monitor(server)
otp.exit(server, "kill")
expect.receive({"DOWN", ref})
expect.eq({pcall(gen_server.call, server, "get")},
          {false, {"EXIT", {"noproc", {"gen_server", "call", {server, "get"}}}}})
expect.eq(otp.process_info(otp.self(), "messages"), {})

local replies = {}
function replies.init() return "ok", {n = 1} end
function replies.handle_call(req, from, s)
  if req == "keep" then return "reply", s, s end
  if req == "bad" then return "reply", {f = print}, s end
  return "reply", req, s
end
local rs = assert(gen_server.start(replies, nil))
local got = gen_server.call(rs, "keep")
expect.eq(got, {n = 1})
got.n = 99
expect.eq(gen_server.call(rs, "keep"), {n = 1}, "the reply is a copy: the server's state stays")
otp.log_level("none")                  -- the crash report below is expected
local rref = otp.monitor(rs)
local okb, errb = pcall(gen_server.call, rs, "bad")
expect.eq(okb, false)
local down = expect.receive({"DOWN", rref})
expect.eq(down[5][1], "error")
expect.truthy(down[5][2]:find("^badarg: a function cannot be sent between processes %(at msg%[2%]%.f%)"),
              down[5][2])
expect.eq(type(errb), "table")
local ok3, err3 = pcall(gen_server.reply, {otp.self(), "nobody_has_this_name"}, 1)
expect.eq(ok3, false)
expect.truthy(err3:find("^badarg: no process is registered as 'nobody_has_this_name'"), err3)
expect.eq(otp.process_info(otp.self(), "messages"), {})
