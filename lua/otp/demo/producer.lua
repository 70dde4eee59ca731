-- otp.demo.producer: the pipeline's first stage (see otp.demo): sends
-- {"item", n} to the transformer every tick_ms, or when called "produce".

local gen_server = require "otp.gen_server"

local producer = {name = "producer"}

function producer.init(tick_ms)
  local state = {next = 1, tick_ms = tick_ms}
  if tick_ms then return "ok", state, tick_ms end
  return "ok", state
end

local function produce(state)
  gen_server.cast("transformer", {"item", state.next})
  state.next = state.next + 1
end

function producer.handle_info(msg, state)
  if msg == "timeout" then produce(state) end
  if state.tick_ms then return "noreply", state, state.tick_ms end
  return "noreply", state
end

function producer.handle_call(req, _, state)
  if req == "produce" then
    local n = state.next
    produce(state)
    return "reply", n, state
  end
  return "reply", {"error", {"unknown_request", req}}, state
end

return producer
