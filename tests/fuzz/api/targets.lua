-- The functions the API fuzzer calls: every function reachable from `otp`,
-- its lazily loaded submodules included, as dotted paths ("gen_server.call").
--
-- KNOWN lists the paths whose breaks are already filed (issue 9) and are
-- being closed on their own branches; they are left out unless
-- --include-known is given, so that the brief run in `make test` checks
-- everything else. Remove an entry when its fix is merged.

local T = {}

-- otp.NAME modules loaded on first use (lua/otp/NAME.lua): pairs(otp)
-- cannot see them before they are loaded.
T.lazy = {"gen_server", "sys", "sandbox", "code", "trace", "analytics", "expect", "fault",
          "supervisor", "dynamic_supervisor", "task", "inspect", "demo"}

T.KNOWN = {}

-- Callback modules are code a gen_server runs, not API: their functions
-- take the state they returned themselves.
T.callbacks = {"demo.consumer", "demo.counter", "demo.printer", "demo.producer",
               "demo.transformer", "demo.worker"}

local function under(path, prefix)
  return path == prefix or path:sub(1, #prefix + 1) == prefix .. "."
end

local function known(path)
  for prefix in pairs(T.KNOWN) do
    if under(path, prefix) then return true end
  end
  return false
end

--- T.enumerate(include_known) -> sorted paths to call, sorted paths left out.
function T.enumerate(include_known)
  local paths, left, seen = {}, {}, {}
  local function walk(t, prefix, depth)
    if seen[t] or depth > 3 then return end
    for _, c in ipairs(T.callbacks) do
      if prefix and under(prefix, c) then return end
    end
    seen[t] = true
    for k, v in pairs(t) do
      if type(k) == "string" and k ~= "_" then
        local path = prefix and prefix .. "." .. k or k
        if type(v) == "function" then
          if include_known or not known(path) then paths[#paths + 1] = path
          else left[#left + 1] = path end
        elseif type(v) == "table" then walk(v, path, depth + 1) end
      end
    end
  end
  walk(otp, nil, 1)
  for _, name in ipairs(T.lazy) do
    local v = otp[name]
    if type(v) == "function" and not seen[v] then
      paths[#paths + 1] = name
      seen[v] = true
    elseif type(v) == "table" then walk(v, name, 2) end
  end
  table.sort(paths)
  table.sort(left)
  return paths, left
end

return T
