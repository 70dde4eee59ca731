-- Helpers shared by the supervisor scenarios. Not a scenario itself:
-- `otplab test` skips files whose name starts with "_". Load it with
--   local children = dofile((arg[0]:match("^(.*/)") or "") .. "_children.lua")
local children = {}

-- A start function for a child named `name`, run in the supervisor: the
-- child traps exits and reports {"init", name} to `me`; an exit signal makes
-- it report {"stop", name, reason} and exit with that reason; {"die", r}
-- makes it exit r. It returns only once the child runs (a synchronous init).
function children.reporter(me)
  return function(name)
    local sup = otp.self()
    local pid = otp.spawn_link(function()
      otp.trap_exit(true)
      otp.send(me, {"init", name})
      otp.send(sup, {"ack", otp.self()})
      while true do
        local m = otp.receive()
        if m[1] == "EXIT" then
          otp.send(me, {"stop", name, m[3]})
          otp.exit(m[3])
        elseif m[1] == "die" then otp.exit(m[2]) end
      end
    end)
    otp.receive({"ack", pid})
    return pid
  end
end

-- The pid (or status) of child `id` in which_children(sup).
function children.pid_of(sup, id)
  for _, c in ipairs(otp.supervisor.which_children(sup)) do
    if c.id == id then return c.pid end
  end
end

return children
