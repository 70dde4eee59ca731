-- otp.rpc(node, module, fn, args[, timeout_ms]): Erlang's rpc:call against
-- an Erlang node, through its `rex` server.  Returns fn's result, or nil and
-- {"badrpc", reason}: what the call raised ({"EXIT", ...}), "nodedown", or
-- "timeout" (no answer within timeout_ms; nil waits for ever).  args is an
-- array and goes out as a list.  What the function prints goes to the
-- Erlang node's own output (its `user`), as the group leader a call needs.
local core = otp_internal.dist_core

local function call(node, module, fn, args, timeout, gl)
  local tag = otp.make_ref()
  core.rpc_send(node, module, fn, args, tag, gl)
  local mref = otp.monitor({"rex", node})
  local m = otp.receive(function(m)
    return type(m) == "table" and (m[1] == tag or (m[1] == "DOWN" and m[2] == mref))
  end, timeout)
  otp.demonitor(mref, {flush = true})
  if m == nil then return nil, {"badrpc", "timeout"} end
  if m[1] == "DOWN" then return nil, {"badrpc", "nodedown"} end
  local result = m[2]
  if type(result) == "table" and result[1] == "badrpc" and #result == 2 then
    return nil, result
  end
  return result
end

return function(node, module, fn, args, timeout)
  if timeout ~= nil and (math.type(timeout) ~= "integer" or timeout < 0) then
    error("badarg: otp.rpc's timeout is milliseconds (a whole number >= 0), or nil to wait "
          .. "for ever; got " .. tostring(timeout), 2)
  end
  if type(args) ~= "table" then
    error("badarg: otp.rpc(node, module, fn, args) needs args as an array (it goes out as "
          .. "a list), got " .. type(args), 2)
  end
  local user, why = call(node, "erlang", "whereis", {"user"}, timeout)
  if user == nil and why then return nil, why end
  return call(node, module, fn, args, timeout, type(user) == "userdata" and user or nil)
end
