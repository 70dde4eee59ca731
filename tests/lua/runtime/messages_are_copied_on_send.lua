-- Proves: otp.send copies the message (API.md section 1). The receiver never
-- sees the sender's later mutation (nor the sender the receiver's); integers
-- and floats stay apart; strings are binary-safe; shared sub-tables and cycles
-- survive; pids, refs and timer refs arrive as the same values (== and as
-- table keys). Functions, coroutines, other userdata and tables with
-- metatables raise an error starting with "badarg:" that names the path, and
-- nothing at all is delivered.

local failures = {}
local function check(cond, what)
  if not cond then failures[#failures + 1] = what end
end

local me = otp.self()

local function await(tag, ms)
  local m = otp.receive(function(m) return type(m) == "table" and m[1] == tag end, ms or 2000)
  assert(m, "timed out waiting for a {" .. tostring(tag) .. ", ...} message")
  return m
end

-- An echo process: sends back {"echo", msg} for every {"echo", msg}, answers
-- {"probe"} with what is left in its mailbox, and stops on "stop".
local echo = otp.spawn(function(parent)
  while true do
    local m = otp.receive(nil, 5000)
    if m == nil or m == "stop" then return end
    if type(m) == "table" and m[1] == "echo" then
      otp.send(parent, { "echo", m[2] })
    elseif type(m) == "table" and m[1] == "hold" then
      local held = m[2]
      otp.send(parent, { "holding" })
      local go = otp.receive(function(x) return type(x) == "table" and x[1] == "report" end, 2000)
      held.touched_by_receiver = true
      otp.send(parent, { "held", go and held.n, go and held.list[1], go and held.extra })
    elseif type(m) == "table" and m[1] == "probe" then
      local left, why = otp.receive(nil, 0)
      otp.send(parent, { "probed", left == nil and why == "timeout", left })
    end
  end
end, me)

-- 1. Later mutation by the sender is invisible to the receiver.
do
  local t = { n = 1, list = { "a" } }
  local returned = otp.send(echo, { "hold", t })
  check(type(returned) == "table" and returned[2] == t, "otp.send does not return the message it sent")
  await("holding")
  t.n = 2
  t.list[1] = "mutated"
  t.extra = "added"
  otp.send(echo, { "report" })
  local h = await("held")
  check(h[2] == 1, "receiver saw the sender's later change to t.n")
  check(h[3] == "a", "receiver saw the sender's later change to a nested table")
  check(h[4] == nil, "receiver saw a key the sender added later")
  check(t.touched_by_receiver == nil, "sender saw the receiver's mutation")
end

-- Sending to oneself copies too.
do
  local t = { 1 }
  otp.send(me, { "self_copy", t })
  local got = await("self_copy")[2]
  check(got ~= t, "a message sent to oneself is the same table, not a copy")
  got[1] = 99
  check(t[1] == 1, "mutating a self-sent message changed the original")
end

-- 2. Numbers, strings, keys of every kind, shared sub-tables and cycles.
do
  local sub = { "shared" }
  local cyc = { name = "cyc" }
  cyc.self = cyc
  local bin = "a\0b\255\0\r\n" .. string.char(0, 1, 2)
  local msg = {
    int = 1, float = 1.0, big = math.maxinteger, small = math.mininteger,
    negzero = -0.0, inf = math.huge, nan = 0 / 0, half = 0.5, f53 = 2.0 ^ 53,
    bin = bin, empty = "",
    keys = { [1] = "int key", [1.5] = "float key", [true] = "true key", [false] = "false key", s = "string key" },
    a = sub, b = sub, cyc = cyc,
    yes = true, no = false,
  }
  otp.send(echo, { "echo", msg })
  local got = await("echo")[2]
  check(math.type(got.int) == "integer" and got.int == 1, "integer 1 arrived as " .. tostring(math.type(got.int)))
  check(math.type(got.float) == "float" and got.float == 1.0, "float 1.0 arrived as " .. tostring(math.type(got.float)))
  check(got.big == math.maxinteger and math.type(got.big) == "integer", "math.maxinteger changed")
  check(got.small == math.mininteger and math.type(got.small) == "integer", "math.mininteger changed")
  check(math.type(got.negzero) == "float" and 1 / got.negzero == -math.huge, "-0.0 lost its sign")
  check(got.inf == math.huge, "math.huge changed")
  check(got.nan ~= got.nan, "NaN did not arrive as NaN")
  check(got.half == 0.5 and math.type(got.f53) == "float" and got.f53 == 2.0 ^ 53, "floats changed")
  check(got.bin == bin and #got.bin == #bin, "binary string with \\0 bytes changed (length " .. #tostring(got.bin) .. ")")
  check(got.empty == "", "empty string changed")
  check(got.keys[1] == "int key" and got.keys[1.5] == "float key", "number keys changed")
  check(got.keys[true] == "true key" and got.keys[false] == "false key", "boolean keys changed")
  check(got.keys.s == "string key", "string key changed")
  check(got.yes == true and got.no == false, "booleans changed")
  check(got.a == got.b and got.a[1] == "shared", "shared sub-table became two tables")
  check(got.a ~= sub, "shared sub-table was not copied")
  check(got.cyc.self == got.cyc and got.cyc.name == "cyc", "cycle not preserved")
end

-- Table shapes: sparse arrays, holes, tables as keys (shared with a value),
-- odd keys, an array built backwards (its keys live in the hash part).
do
  local k = { name = "key" }
  local backwards = {}
  for i = 10, 1, -1 do backwards[i] = i end
  local msg = {
    sparse = { [1] = 1, [3] = 3, [100] = 100 },
    holes = { nil, 2, nil, 4 },
    tkey = { [k] = "by table", k },
    odd = { ["a\0b"] = 1, [math.mininteger] = "min", [-1] = "neg", [0] = "zero" },
    mixed = { 1, 2, 3, x = "x", [4.5] = "f" },
    backwards = backwards,
  }
  otp.send(echo, { "echo", msg })
  local g = await("echo")[2]
  check(g.sparse[1] == 1 and g.sparse[2] == nil and g.sparse[3] == 3 and g.sparse[100] == 100, "sparse array changed")
  check(g.holes[1] == nil and g.holes[2] == 2 and g.holes[3] == nil and g.holes[4] == 4, "array with holes changed")
  check(g.tkey[g.tkey[1]] == "by table" and g.tkey[1].name == "key",
    "a table used both as a key and as a value became two tables")
  check(g.odd["a\0b"] == 1 and g.odd[math.mininteger] == "min" and g.odd[-1] == "neg" and g.odd[0] == "zero",
    "odd keys changed")
  check(g.mixed[1] == 1 and g.mixed[3] == 3 and g.mixed.x == "x" and g.mixed[4.5] == "f", "mixed table changed")
  local sum = 0
  for i = 1, 10 do sum = sum + (g.backwards[i] or 0) end
  check(sum == 55 and #g.backwards == 10, "an array built backwards changed")
end

-- 3. Pids, refs and timer refs survive as the same values, also as keys.
do
  local ref = otp.make_ref()
  local tref = otp.send_after(60000, me, "never")
  local msg = { pid = me, ref = ref, tref = tref, echo = echo,
    by = { [me] = "pid key", [ref] = "ref key", [echo] = "other pid key" } }
  otp.send(echo, { "echo", msg })
  local got = await("echo")[2]
  check(got.pid == me, "a pid is not == itself after a send")
  check(got.ref == ref, "a ref is not == itself after a send")
  check(got.tref == tref, "a timer ref is not == itself after a send")
  check(got.echo == echo, "another process's pid is not == itself after a send")
  check(got.by[me] == "pid key", "a pid key cannot be looked up with the original pid")
  check(got.by[ref] == "ref key", "a ref key cannot be looked up with the original ref")
  check(got.by[echo] == "other pid key", "another pid key cannot be looked up")
  check(tostring(got.pid) == tostring(me) and tostring(got.ref) == tostring(ref), "pid/ref print differently after a send")
  check(otp.cancel_timer(got.tref) ~= false, "cancel_timer with a copied timer ref did not find the timer")
end

-- 4. Values that cannot be sent: badarg naming the path; nothing delivered.
local function send_error(msg)
  local ok, err = pcall(otp.send, echo, msg)
  check(not ok, "sending " .. tostring(msg) .. " did not raise")
  return tostring(err)
end
local function expect_badarg(err, path, what)
  check(err:sub(1, 7) == "badarg:", what .. ": the error should start with 'badarg:', got: " .. err)
  check(err:find(path, 1, true) ~= nil, what .. ": the error should name " .. path .. ", got: " .. err)
end

expect_badarg(send_error({ items = { 1, 2, print } }), "msg.items[3]", "function in a list")
expect_badarg(send_error({ items = { 1, 2, function() end } }), "msg.items[3]", "closure in a list")
expect_badarg(send_error({ a = { b = { coroutine.create(function() end) } } }), "msg.a.b[1]", "coroutine deep inside")
expect_badarg(send_error(setmetatable({}, { __index = {} })), "msg", "table with a metatable")
expect_badarg(send_error({ ok = 1, bad = setmetatable({}, {}) }), "msg.bad", "nested table with a metatable")
expect_badarg(send_error(print), "msg", "a bare function")
expect_badarg(send_error({ io.stdout }), "msg[1]", "a file handle (userdata)")
check(send_error({ [print] = 1 }):sub(1, 7) == "badarg:", "a function as a key did not raise badarg")

-- Even through a wrapper Lua function (so Lua may add a position), the
-- message must start with the code.
do
  local ok, err = pcall(function() otp.send(echo, { items = { 1, 2, print } }) end)
  check(not ok, "send of a function inside a Lua function did not raise")
  expect_badarg(tostring(err), "msg.items[3]", "function sent from inside a Lua function")
end

-- Deep nesting: 1000 levels arrive intact; a message too deep to copy is a
-- badarg (not a crash) whose message stays readable (bounded length).
do
  local nested = {}
  for _ = 1, 1000 do nested = { nested } end
  otp.send(echo, { "echo", nested })
  local got, depth = await("echo")[2], 0
  while type(got) == "table" and got[1] do got, depth = got[1], depth + 1 end
  check(depth == 1000, "a 1000-level nested message arrived " .. depth .. " levels deep")
  local very = {}
  for _ = 1, 200000 do very = { very } end
  local ok, err = pcall(otp.send, echo, very)
  err = tostring(err)
  check(not ok and err:sub(1, 7) == "badarg:", "a 200000-level message: not a badarg: " .. err:sub(1, 200))
  check(#err <= 2000, "a 200000-level message: the error message is " .. #err .. " characters long: "
    .. err:sub(1, 120) .. "...")
end

-- A bad message to a dead process raises too (the copy comes first).
do
  local dead, ref = otp.spawn_monitor(function() end)
  assert(otp.receive(function(m) return type(m) == "table" and m[1] == "DOWN" and m[2] == ref end, 2000),
    "no DOWN from a process that returns at once")
  local ok, err = pcall(otp.send, dead, { print })
  check(not ok and tostring(err):sub(1, 7) == "badarg:", "sending a function to a dead pid did not raise badarg")
end

-- Nothing from the failed sends reached the echo process: after a probe sent
-- later, its mailbox is empty.
otp.send(echo, { "probe" })
local p = await("probed")
check(p[2] == true, "a failed send delivered something: " .. tostring(p[3]))

otp.send(echo, "stop")

if #failures > 0 then
  error(#failures .. " check(s) failed:\n  " .. table.concat(failures, "\n  "), 0)
end
