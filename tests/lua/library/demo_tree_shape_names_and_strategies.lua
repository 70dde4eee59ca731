-- The demo tree (API.md section 8): its shape, every process registered under
-- its name, live traffic down the pipeline, and each supervisor's strategy at
-- work: one_for_one (C6), rest_for_one (C8), one_for_all (C7).
local expect = require "otp.expect"
local demo = require "otp.demo"
local gen_server, supervisor = otp.gen_server, otp.supervisor
otp.log_level("none")     -- the kills below are on purpose

local root = assert(demo.start{tick_ms = false})
expect.eq(demo.start(), root, "start returns the running tree")
expect.eq(otp.whereis("demo_sup"), root)

local function ids(sup)
  local out = {}
  for _, c in ipairs(supervisor.which_children(sup)) do
    out[#out + 1] = c.id
    expect.eq(otp.whereis(c.id), c.pid, c.id .. " is registered under its id")
  end
  return out
end
expect.eq(ids(root), {"pool", "pipeline", "printer", "counter_b", "counter_a"})
expect.eq(ids("pipeline"), {"consumer", "transformer", "producer"})
expect.eq(ids("pool"), {"worker_3", "worker_2", "worker_1"})

-- the servers answer
expect.eq(gen_server.call("counter_a", "next"), 0)
expect.eq(gen_server.call("counter_a", "next"), 1)
expect.eq(gen_server.call("counter_b", "get"), 100)
expect.eq(gen_server.call("counter_b", {"add", 5}), 105)
expect.eq(gen_server.call("worker_2", {"work", 7}), 49)
expect.eq(gen_server.call("producer", "produce"), 1)
expect.eq(gen_server.call("producer", "produce"), 2)
expect.eventually(function() return gen_server.call("consumer", "get").count == 2 end)
expect.eq(gen_server.call("consumer", "get"), {count = 2, last = 4}, "items are doubled")

local function pids(sup)
  local out = {}
  for _, c in ipairs(supervisor.which_children(sup)) do out[c.id] = c.pid end
  return out
end

-- one_for_one: only counter_a is restarted, with a fresh state
local before = pids(root)
otp.exit(before.counter_a, "kill")
expect.eventually(function()
  local p = otp.whereis("counter_a")
  return p and p ~= before.counter_a
end)
expect.eq(gen_server.call("counter_a", "get"), 0)
local after = pids(root)
expect.truthy(after.counter_a ~= before.counter_a)
for _, id in ipairs({"counter_b", "printer", "pipeline", "pool"}) do
  expect.eq(after[id], before[id], id .. " keeps its pid")
end

-- rest_for_one: the transformer's death restarts it and the consumer only
before = pids("pipeline")
otp.exit(before.transformer, "kill")
expect.eventually(function()
  local now = pids("pipeline")
  return now.consumer ~= before.consumer and now.transformer ~= before.transformer
    and otp.is_alive(now.consumer) and otp.is_alive(now.transformer)
end)
expect.eq(pids("pipeline").producer, before.producer, "the producer is untouched")

-- one_for_all: one worker's death restarts all three
before = pids("pool")
otp.exit(before.worker_2, "kill")
expect.eventually(function()
  local now = pids("pool")
  for id, pid in pairs(before) do
    if now[id] == pid or not otp.is_alive(now[id]) then return false end
  end
  return true
end)

-- a sandbox can run the same tree from its spec
otp.sandbox.create("demo_lab", {start = demo.spec{tick_ms = false}})
local boxed = otp.sandbox.info("demo_lab").root
expect.truthy(otp.is_alive(boxed))
expect.truthy(otp.sandbox.info("demo_lab").processes >= 12, "the 12 processes of the tree run inside")
otp.sandbox.destroy("demo_lab")

-- bad options are badarg
expect.error(function() demo.spec{tick_ms = -1} end, "badarg: demo tick_ms")
expect.error(function() demo.spec(5) end, "badarg: demo.spec options")
