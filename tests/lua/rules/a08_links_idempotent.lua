-- A8: links are idempotent: linking twice (from one side or from both) is
-- one link, which gives exactly one EXIT, and one unlink removes it.
local expect = require "otp.expect"
local main = otp.self()
otp.trap_exit(true)

local function waiter(boss)
  if boss then
    otp.link(boss)                   -- link from the other side too
    otp.send(boss, {"linked", otp.self()})
  end
  local m = otp.receive()
  otp.exit(m)
end

-- 1. link, link again, spawn_link + link: one entry each side.
do
  local p = otp.spawn_link(waiter)
  expect.eq(otp.link(p), true)
  expect.eq(otp.link(p), true)
  expect.eq(otp.process_info(main, "links"), {p})
  expect.eq(otp.process_info(p, "links"), {main})
  -- exactly one EXIT on death
  local ref = otp.monitor(p)
  otp.send(p, "boom")
  expect.receive({"DOWN", ref})
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, "boom"})
  expect.no_message({"EXIT", p}, 0, "one link -> one EXIT")
  expect.eq(otp.process_info(main, "links"), {})
end

-- 2. Both sides link: still one link, one EXIT.
do
  local p = otp.spawn(waiter, main)
  expect.receive({"linked", p})
  otp.link(p)
  expect.eq(otp.process_info(main, "links"), {p})
  expect.eq(otp.process_info(p, "links"), {main})
  local ref = otp.monitor(p)
  otp.send(p, "boom")
  expect.receive({"DOWN", ref})
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, "boom"})
  expect.no_message({"EXIT", p}, 0, "one link -> one EXIT")
end

-- 3. Linked twice, unlinked once: no link left, no EXIT on death.
do
  local p = otp.spawn(waiter, main)
  expect.receive({"linked", p})
  otp.link(p)
  expect.eq(otp.unlink(p), true)
  expect.eq(otp.process_info(main, "links"), {})
  expect.eq(otp.process_info(p, "links"), {})
  local ref = otp.monitor(p)
  otp.send(p, "boom")
  expect.receive({"DOWN", ref})
  expect.no_message({"EXIT", p}, 0, "no EXIT after unlink")
end

-- 4. link(self()) does nothing and returns true.
expect.eq(otp.link(main), true)
expect.eq(otp.process_info(main, "links"), {})
otp.trap_exit(false)
