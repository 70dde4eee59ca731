-- Proves (issue 9 class 5): inside a sandbox, otp.memory, otp.statistics,
-- otp.processes, otp.registered and otp.process_info describe that sandbox
-- only: no node totals, no other sandbox's name or size, no host process
-- (even one whose pid was handed in), no host counters.

local expect = require "otp.expect"
local sandbox = otp.sandbox

otp.register("c5_host_name", otp.self())
local idle = {}
for i = 1, 20 do idle[i] = otp.spawn(function() otp.receive(function() return true end) end) end
expect.eq(sandbox.create("c5_inside", {}), true)
expect.eq(sandbox.create("c5_other", {}), true)
for _ = 1, 50 do otp.send(otp.self(), "noise") end
while otp.receive(function() return true end, 0) do end

local seen = { sandbox.run("c5_inside", function(host)
  local m = otp.memory()
  local names = {}
  for name in pairs(m.sandboxes) do names[#names + 1] = name end
  local reds = otp.statistics("reductions")
  return m.total, m.processes, table.concat(names, ","),
         otp.statistics("process_count"), #otp.processes(), #otp.registered(),
         otp.process_info(host) == nil, otp.process_info(host, "memory") == nil,
         otp.statistics("messages_sent"), reds[1], otp.memory("total")
end, otp.self()) }

local total, procs, names, count, nprocs, nreg, pi_nil, pi_key_nil, sent, reds, total_key =
  table.unpack(seen, 1, 11)
local info = sandbox.info("c5_inside")
expect.eq(names, "c5_inside", "only its own sandbox is listed under sandboxes")
expect.truthy(total <= info.memory * 2 and total < otp.memory("total"),
              "total is the sandbox's own bytes, not the node's: " .. total)
expect.truthy(total_key < otp.memory("total"), "otp.memory(\"total\") is the sandbox's own too")
expect.truthy(procs > 0 and procs <= total, "processes counts its own process")
expect.eq(count, 1, "process_count is the sandbox's own (the runner)")
expect.eq(nprocs, 1, "otp.processes lists the runner only")
expect.eq(nreg, 0, "no host name is listed")
expect.eq(pi_nil, true, "process_info of a host pid is nil inside the sandbox")
expect.eq(pi_key_nil, true, "process_info(host, key) too")
expect.truthy(sent < 50, "messages_sent counts the sandbox's own sends: " .. sent)
expect.truthy(reds < otp.statistics("reductions")[1], "reductions are the sandbox's own")

-- the host still sees the node
expect.truthy(otp.statistics("process_count") >= 21, "the host counts every process")
local hm = otp.memory()
expect.truthy(hm.sandboxes.c5_inside and hm.sandboxes.c5_other, "the host sees both sandboxes")
expect.truthy(otp.process_info(idle[1]) ~= nil, "the host sees its processes")
for _, p in ipairs(idle) do otp.exit(p, "kill") end
sandbox.destroy("c5_inside")
sandbox.destroy("c5_other")
