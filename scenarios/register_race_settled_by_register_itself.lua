-- "Start the server unless it runs", done right: register is the check.
-- Two clients race to start it; the one whose register fails (badarg: the
-- name is taken, rule A12) stops its spare server and uses the registered
-- one. Both clients get their answer under every schedule (otplab explore
-- proves it; tests/explore/racy_register_after_whereis.lua is the racy
-- version, with a whereis check before the register).
local expect = otp.expect
local function server()
  while true do
    local m = otp.receive()
    otp.send(m, "pong")
  end
end
local function ensure_server()
  local pid = otp.whereis("server")
  if pid then return pid end
  pid = otp.spawn(server)
  if pcall(otp.register, "server", pid) then return pid end
  otp.exit(pid, "kill")                  -- lost the race: the other one stays
  return otp.whereis("server")
end
local function client()
  local pid = ensure_server()
  otp.send(pid, otp.self())
  otp.receive("pong")
end
local _, r1 = otp.spawn_monitor(client)
local _, r2 = otp.spawn_monitor(client)
for _, ref in ipairs{r1, r2} do
  expect.eq(expect.receive(otp.match{"DOWN", ref}, 5000)[5], "normal")
end
