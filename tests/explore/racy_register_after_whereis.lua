-- A race, for otplab explore: LYSE's restarter checks whereis before it
-- registers. Two clients that both "start the server unless it runs" can
-- both see no server; the second register then fails (badarg: the name is
-- taken, rule A12) and that client crashes. The fixed version is
-- scenarios/register_race_settled_by_register_itself.lua.
local expect = otp.expect
local function server()
  while true do
    local m = otp.receive()
    otp.send(m, "pong")
  end
end
local function ensure_server()
  local pid = otp.whereis("server")
  if not pid then
    pid = otp.spawn(server)
    otp.register("server", pid)       -- someone may have registered since the check
  end
  return pid
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
