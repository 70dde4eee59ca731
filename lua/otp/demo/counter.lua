-- otp.demo.counter: the demo tree's counter gen_server (see otp.demo).

-- A counter: "get" -> n, "next" -> n (then n + 1), {"add", k} -> n + k,
-- "crash" -> the server crashes; cast "reset" sets n back to 0.
local counter = {name = "counter"}

function counter.init(start) return "ok", start or 0 end

function counter.handle_call(req, _, n)
  if req == "get" then return "reply", n, n end
  if req == "next" then return "reply", n, n + 1 end
  if type(req) == "table" and req[1] == "add" and math.type(req[2]) == "integer" then
    return "reply", n + req[2], n + req[2]
  end
  if req == "crash" then error("counter was asked to crash") end
  return "reply", {"error", {"unknown_request", req}}, n
end

function counter.handle_cast(msg, n)
  if msg == "reset" then return "noreply", 0 end
  return "noreply", n
end

return counter
