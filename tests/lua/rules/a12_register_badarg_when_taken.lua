-- A12: register fails (badarg) if the name is taken or the pid already has
-- a name (and for a dead pid). The errors are Lua errors starting "badarg".
local expect = require "otp.expect"
local main = otp.self()

local function idle() otp.receive() end
local function listed(name)
  for _, n in ipairs(otp.registered()) do if n == name then return true end end
  return false
end
local p, q = otp.spawn(idle), otp.spawn(idle)

-- 1. A free name: true; whereis and registered() see it; process_info too.
expect.eq(otp.register("alpha", p), true)
expect.eq(otp.whereis("alpha"), p)
expect.eq(otp.process_info(p, "registered_name"), "alpha")
expect.truthy(listed("alpha"), "registered() lists alpha")

-- 2. The name is taken: badarg, and nothing changes.
expect.error(function() otp.register("alpha", q) end, "badarg")
expect.eq(otp.whereis("alpha"), p)
expect.eq(otp.process_info(q, "registered_name"), nil)

-- 3. The pid already has a name: badarg (one name per process).
expect.error(function() otp.register("beta", p) end, "badarg")
expect.eq(otp.whereis("beta"), nil)
expect.eq(otp.process_info(p, "registered_name"), "alpha")

-- 4. Registering the same name to the same pid again is also badarg (Erlang).
expect.error(function() otp.register("alpha", p) end, "badarg")

-- 5. A dead pid: badarg.
local dead, ref = otp.spawn_monitor(function() end)
expect.receive({"DOWN", ref})
expect.error(function() otp.register("gamma", dead) end, "badarg")
expect.eq(otp.whereis("gamma"), nil)

-- 6. Not a string name / not a pid: badarg.
expect.error(function() otp.register(42, q) end, "badarg")
expect.error(function() otp.register("delta", "not a pid") end, "badarg")

-- 7. spawn_opt's name option takes a taken name as badarg too, and spawns nothing.
local before = #otp.processes()
expect.error(function() otp.spawn_opt(idle, {name = "alpha"}) end, "badarg")
expect.eq(#otp.processes(), before, "no process was started")

-- 8. unregister frees the name (then q can take it); unregistering a free name is badarg.
expect.eq(otp.unregister("alpha"), true)
expect.eq(otp.whereis("alpha"), nil)
expect.truthy(not listed("alpha"))
expect.eq(otp.process_info(p, "registered_name"), nil)
expect.error(function() otp.unregister("alpha") end, "badarg")
expect.eq(otp.register("alpha", q), true)
expect.eq(otp.whereis("alpha"), q)

-- 9. Main can name itself.
expect.eq(otp.register("main", main), true)
expect.eq(otp.whereis("main"), main)
