-- otp.demo.worker: a pool worker of the demo tree (see otp.demo).

-- A pool worker: {"work", n} -> n * n.
local worker = {name = "worker"}

function worker.init(id) return "ok", {id = id, done = 0} end

function worker.handle_call(req, _, state)
  if type(req) == "table" and req[1] == "work" and type(req[2]) == "number" then
    state.done = state.done + 1
    return "reply", req[2] * req[2], state
  end
  return "reply", {"error", {"unknown_request", req}}, state
end

return worker
