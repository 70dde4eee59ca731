-- otp.connect(node) -> true | false: Erlang's net_kernel:connect_node.
-- The connect (epmd lookup and handshake) runs off the node's loop; the
-- caller waits in a receive for its answer, so other processes run.
local core = otp_internal.dist_core

return function(node)
  local ok, ref = core.connect(node)
  if ok ~= nil then return ok end
  local answer = otp.receive(function(m)
    return type(m) == "table" and m[1] == "$dist_connect" and m[2] == ref
  end)
  return answer[3]
end
