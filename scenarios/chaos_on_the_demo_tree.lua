-- Chaos on the demo tree: a random process of the tree is killed every
-- 100 ms for 300 ms (three kills never exceed an intensity of 3 in 5 s).
-- Afterwards the tree is whole and every counter answers.
local expect, sup = otp.expect, otp.supervisor
local root = require("otp.demo").start{tick_ms = false}
local trace = otp.trace.start{pids = "all", kinds = {"fault_kill"}}

local result = otp.fault.chaos{sup = root, every_ms = 100, duration_ms = 300, seed = 7}
expect.eq(result.kills, 3)
expect.eq(#trace:events(), 3)
for _, victim in ipairs(result.victims) do expect.dead(victim) end

expect.alive(root)
expect.eventually(function()
  for _, name in ipairs{"counter_a", "counter_b", "printer", "producer", "transformer",
                        "consumer", "worker_1", "worker_2", "worker_3"} do
    if not otp.whereis(name) then return false end
  end
  return true
end, 2000)
expect.eq(#sup.which_children(root), 5)
expect.eq(type(otp.gen_server.call("counter_a", "next")), "number")
expect.eq(type(otp.gen_server.call("counter_b", "next")), "number")
expect.eq(otp.gen_server.call("worker_2", {"work", 7}), 49)
