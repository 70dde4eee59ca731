-- otp.spawn_on(node, fn, ...) -> pid: runs fn(...) in a new process on
-- another otplab node (Erlang's spawn(Node, Fun)). fn and its arguments are
-- copied as a sandbox spawn copies them (upvalues included). A node that
-- does not answer within 5 s (not an otplab node: Erlang runs no Lua) or
-- goes down raises "noconnection: ..."; a refused spawn raises its reason.
local core = otp_internal.dist_core

return function(node, fn, ...)
  local ref = otp.make_ref()
  core.spawn_send(node, ref, fn, ...)
  otp.monitor_node(node, true)
  local m = otp.receive(function(m)
    return type(m) == "table" and ((m[1] == "$otplab_spawned" and m[2] == ref)
                                   or (m[1] == "nodedown" and m[2] == node))
  end, 5000)
  otp.monitor_node(node, false)
  if m == nil or m[1] == "nodedown" then
    error("noconnection: otp.spawn_on: " .. tostring(node) .. (m and " went down" or
          " did not answer in 5 s (is it an otplab node? spawn_on runs Lua functions)"), 2)
  end
  if not m[3] then error(tostring(m[4]), 2) end
  return m[3]
end
