-- otp.demo.transformer: the pipeline's middle stage (see otp.demo):
-- doubles each item and passes it to the consumer.

local gen_server = require "otp.gen_server"

local transformer = {name = "transformer"}

function transformer.init() return "ok", 0 end

function transformer.handle_cast(msg, seen)
  if type(msg) == "table" and msg[1] == "item" then
    gen_server.cast("consumer", {"item", msg[2] * 2})
  end
  return "noreply", seen + 1
end

return transformer
