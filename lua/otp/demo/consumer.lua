-- otp.demo.consumer: the pipeline's last stage (see otp.demo): counts
-- the items it gets; "get" -> {count=, last=}.

local consumer = {name = "consumer"}

function consumer.init() return "ok", {count = 0} end

function consumer.handle_cast(msg, state)
  if type(msg) == "table" and msg[1] == "item" then
    state.count, state.last = state.count + 1, msg[2]
  end
  return "noreply", state
end

function consumer.handle_call(req, _, state)
  if req == "get" then return "reply", {count = state.count, last = state.last}, state end
  return "reply", {"error", {"unknown_request", req}}, state
end

return consumer
