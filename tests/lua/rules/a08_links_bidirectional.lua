-- A8: links are bidirectional: whichever side called link, either side's
-- death signals the other.
local expect = require "otp.expect"
local main = otp.self()

-- Traps exits, waits for "link" orders, forwards everything else.
local function trapper(boss)
  otp.trap_exit(true)
  otp.send(boss, {"ready", otp.self()})
  while true do
    local m = otp.receive()
    if type(m) == "table" and m[1] == "link" then
      otp.send(boss, {"linked", otp.self(), otp.link(m[2])})
    elseif m == "die" then
      otp.exit("died")
    else
      otp.send(boss, {"got", otp.self(), m})
    end
  end
end

local function start()
  local p = otp.spawn(trapper, main)
  expect.receive({"ready", p})
  return p
end

-- 1. A links to B: both list each other.
local a, b = start(), start()
otp.send(a, {"link", b})
expect.eq(expect.receive({"linked", a}), {"linked", a, true})
expect.eq(otp.process_info(a, "links"), {b})
expect.eq(otp.process_info(b, "links"), {a})

-- 2. The callee's death reaches the caller: B dies -> A gets {"EXIT", B, R}.
local bref = otp.monitor(b)
otp.send(b, "die")
expect.eq(expect.receive({"DOWN", bref})[5], "died")
expect.eq(expect.receive({"got", a})[3], {"EXIT", b, "died"})
expect.eq(otp.process_info(a, "links"), {}, "the link is gone")

-- 3. The caller's death reaches the callee: C links to D, C dies -> D gets it.
local c, d = start(), start()
otp.send(c, {"link", d})
expect.receive({"linked", c})
local cref = otp.monitor(c)
otp.send(c, "die")
expect.eq(expect.receive({"DOWN", cref})[5], "died")
expect.eq(expect.receive({"got", d})[3], {"EXIT", c, "died"})
expect.eq(otp.process_info(d, "links"), {})

-- 4. Main links from its side: a non-trapping main would die; trapping, it
-- gets the EXIT; and the other side sees main in its links.
otp.trap_exit(true)
local e = start()
expect.eq(otp.link(e), true)
expect.eq(otp.process_info(e, "links"), {main})
local eref = otp.monitor(e)
otp.send(e, "die")
expect.receive({"DOWN", eref})
expect.eq(expect.receive({"EXIT", e}), {"EXIT", e, "died"})
otp.trap_exit(false)

for _, p in ipairs({a, c, d}) do otp.exit(p, "kill") end
