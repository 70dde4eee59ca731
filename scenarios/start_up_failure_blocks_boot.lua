-- A start-up failure blocks boot: the second child's init fails, the first
-- is terminated again, and start_link returns the error (rule C2); the
-- third child never starts.
local expect, sup, gen_server = otp.expect, otp.supervisor, otp.gen_server
local me = otp.self()
local function child(id, fails)
  return {id = id, start = {gen_server.start_link, {
    init = function()
      otp.send(me, {"started", id})
      if fails then return "stop", "no_database" end
      return "ok", nil
    end,
  }}}
end
local pid, reason = sup.start_link{strategy = "one_for_one",
  children = {child("cache"), child("db", true), child("api")}}
expect.eq(pid, nil)
expect.eq(reason, {"shutdown", {"failed_to_start_child", "db", "no_database"}})
expect.receive({"started", "cache"}, 1000)
expect.receive({"started", "db"}, 1000)
expect.no_message({"started", "api"}, 50)
expect.eq(otp.whereis("api"), nil)
