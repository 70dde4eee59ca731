-- otp.console.complete: Tab completion for the console (runtime/console/
-- terminal.c calls candidates outside any process, so it only reads tables:
-- no metamethod of user code runs, no process is waited for).
--
--   candidates(globals, "otp.sup")  --> {"otp.supervisor"}
--   candidates(globals, "t.a.")     --> {"t.a.x", "t.a.y"} (fields of t.a)

local complete = {}

local OTP_MODULES = {"analytics", "code", "demo", "dynamic_supervisor", "expect", "gen_server",
                     "inspect", "sandbox", "supervisor", "sys", "task", "trace"}

local full_debug = otp_internal.debug        -- the library's own (processes get less)
local getmetatable = full_debug and full_debug.getmetatable or getmetatable

-- The keys of t and of the tables its metatables' __index lead to.
local function keys_of(t, into, depth)
  if type(t) ~= "table" or depth > 4 then return into end
  local mt = getmetatable(t)
  if type(mt) == "table" and type(rawget(mt, "__pairs")) == "function" then
    for k in pairs(t) do into[k] = true end   -- a read-only proxy of the runtime's
  else
    for k in next, t do into[k] = true end
  end
  if type(mt) == "table" and type(rawget(mt, "__index")) == "table" then
    keys_of(rawget(mt, "__index"), into, depth + 1)
  end
  return into
end

-- Looks name up in t without running user code (proxies are the runtime's).
local function field(t, name)
  if type(t) ~= "table" then return nil end
  local v = rawget(t, name)
  if v ~= nil then return v end
  local mt = getmetatable(t)
  if type(mt) == "table" and type(rawget(mt, "__index")) == "table" then
    return field(rawget(mt, "__index"), name)
  end
  return nil
end

--- candidates(globals, word) -> sorted array of completions of word.
function complete.candidates(globals, word)
  local path, last = word:match("^(.*[%.:])([%w_]*)$")
  local scope = globals
  if path then
    for name in path:gmatch("([%w_]+)[%.:]") do scope = field(scope, name) end
  else
    path, last = "", word
  end
  if type(scope) ~= "table" then return {} end
  local keys = keys_of(scope, {}, 0)
  if scope == field(globals, "otp") then
    for _, m in ipairs(OTP_MODULES) do keys[m] = true end
  end
  local out = {}
  for k in pairs(keys) do
    if type(k) == "string" and k:match("^[%a_][%w_]*$") and k:sub(1, #last) == last then
      out[#out + 1] = path .. k
    end
  end
  table.sort(out)
  return out
end

return complete
