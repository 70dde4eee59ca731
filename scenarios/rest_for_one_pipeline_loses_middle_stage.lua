-- A rest_for_one pipeline losing its middle stage: the transformer and the
-- consumer after it restart, the producer before it keeps its pid (C8).
local expect, sup = otp.expect, otp.supervisor
require("otp.demo").start{tick_ms = false}
local before = {}
for _, n in ipairs{"producer", "transformer", "consumer"} do before[n] = otp.whereis(n) end
otp.exit(before.transformer, "kill")
expect.eventually(function()
  local t, c = otp.whereis("transformer"), otp.whereis("consumer")
  return t and c and t ~= before.transformer and c ~= before.consumer
end)
expect.eq(otp.whereis("producer"), before.producer)
expect.eq(otp.gen_server.call("consumer", "get").count, 0)   -- a fresh consumer
