-- A13: per sender/receiver pair, messages arrive in the order they were sent.
local expect = require "otp.expect"
local main = otp.self()

-- 1. One sender, many messages, mixed kinds: received in sending order.
do
  local n = 500
  otp.spawn(function(boss, count)
    for i = 1, count do
      if i % 3 == 0 then otp.send(boss, {"n", i, {i}})
      else otp.send(boss, {"n", i}) end
    end
    otp.send(boss, "end")
  end, main, n)
  for i = 1, n do
    local m = expect.receive({"n"})
    expect.eq(m[2], i, "message " .. i .. " in order")
  end
  expect.eq(expect.receive(nil), "end")
end

-- 2. Two senders interleaved: each pair's own order is kept.
do
  local function sender(boss, tag, count)
    for i = 1, count do
      otp.send(boss, {tag, i})
      if i % 7 == 0 then otp.yield() end   -- let the other sender interleave
    end
    otp.send(boss, {tag, "end"})
  end
  otp.spawn(sender, main, "a", 200)
  otp.spawn(sender, main, "b", 200)
  local next_of = {a = 1, b = 1}
  local ended = 0
  while ended < 2 do
    local m = expect.receive(function(x) return type(x) == "table" and (x[1] == "a" or x[1] == "b") end)
    if m[2] == "end" then
      expect.eq(next_of[m[1]], 201, "all of " .. m[1] .. " came before its end")
      ended = ended + 1
    else
      expect.eq(m[2], next_of[m[1]], "sender " .. m[1] .. " in order")
      next_of[m[1]] = next_of[m[1]] + 1
    end
  end
end

-- 3. Messages to oneself are a pair too.
do
  for i = 1, 50 do otp.send(main, {"self", i}) end
  for i = 1, 50 do expect.eq(expect.receive({"self"}, 0), {"self", i}) end
end

-- 4. A message and an exit signal from the same sender keep their order:
-- the trapping receiver sees the message first, then the EXIT.
do
  otp.trap_exit(true)
  local p = otp.spawn_link(function(boss)
    otp.send(boss, "last words")
    otp.exit("done")
  end, main)
  expect.eq(expect.receive(function(m) return m == "last words" or (type(m) == "table" and m[1] == "EXIT") end),
            "last words")
  expect.eq(expect.receive({"EXIT", p}), {"EXIT", p, "done"})
  otp.trap_exit(false)
end
